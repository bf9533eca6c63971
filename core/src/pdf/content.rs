//! Page content for the merged watermark stream: decoded through a bounded reader (flate2 for
//! Flate, the common case; lopdf's bounded decoders for the other standard filters), and the
//! merged stream encoded again.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use lopdf::{Dictionary, Object, Stream};

/// Merged content streams from this size on are Flate-compressed (fastest level); smaller
/// ones are written plain.
const COMPRESS_FROM: usize = 32 * 1024;

/// The filters lopdf's bounded decoders handle (FlateDecode also goes through flate2 here).
const KNOWN_FILTERS: [&[u8]; 6] = [
    b"FlateDecode",
    b"LZWDecode",
    b"ASCII85Decode",
    b"ASCIIHexDecode",
    b"RunLengthDecode",
    b"BrotliDecode",
];

/// Why a content stream could not be decoded.
pub(crate) enum DecodeError {
    /// The decoded bytes would pass what is left of the content budget.
    Budget,
    /// The filter is unknown or the data is corrupt.
    Bad(String),
}

/// Reusable inflate and deflate states and a scratch buffer, for one stamp.
pub(crate) struct Codec {
    inflate: Decompress,
    deflate: Compress,
    /// The buffer the merged content is built in, reused from page to page.
    pub(crate) scratch: Vec<u8>,
}

impl Codec {
    pub(crate) fn new() -> Codec {
        Codec {
            inflate: Decompress::new(true),
            deflate: Compress::new(Compression::fast(), true),
            scratch: Vec::new(),
        }
    }

    /// Appends the decoded content of `stream` to `out`: at most `limit` bytes, else
    /// [`DecodeError::Budget`] (with at most about twice `limit` ever allocated).
    pub(crate) fn decode(
        &mut self,
        stream: &Stream,
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), DecodeError> {
        let filters = filters(&stream.dict)?;
        let plain_flate = matches!(filters.as_slice(), [f] if f == b"FlateDecode")
            && !stream.dict.has(b"DecodeParms");
        if filters.is_empty() {
            if stream.content.len() > limit {
                return Err(DecodeError::Budget);
            }
            out.extend_from_slice(&stream.content);
            return Ok(());
        }
        if plain_flate {
            let start = out.len();
            return match self.inflate(&stream.content, out, limit, true) {
                Err(DecodeError::Bad(_)) if out.len() == start => {
                    // Some producers write raw deflate without the zlib header.
                    self.inflate(&stream.content, out, limit, false)
                }
                other => other,
            };
        }
        if let Some(unknown) = filters
            .iter()
            .find(|f| !KNOWN_FILTERS.contains(&f.as_slice()))
        {
            return Err(DecodeError::Bad(format!(
                "unsupported content filter /{}",
                String::from_utf8_lossy(unknown)
            )));
        }
        let data = stream
            .decompressed_content_with_limit(limit)
            .map_err(|e| match e {
                lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                }) => DecodeError::Budget,
                other => DecodeError::Bad(other.to_string()),
            })?;
        if data.len() > limit {
            return Err(DecodeError::Budget);
        }
        out.extend_from_slice(&data);
        Ok(())
    }

    fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
        zlib: bool,
    ) -> Result<(), DecodeError> {
        if zlib {
            self.inflate.reset(true);
        } else {
            self.inflate = Decompress::new(false);
        }
        let start = out.len();
        let mut consumed = 0usize;
        out.reserve(input.len().saturating_mul(4).clamp(64, limit.max(64)));
        let result = loop {
            if out.len() == out.capacity() {
                let produced = out.len() - start;
                if produced >= limit {
                    break Err(DecodeError::Budget);
                }
                out.reserve(produced.max(4096).min(limit - produced + 1));
            }
            let (before_in, before_out) = (self.inflate.total_in(), out.len());
            let status =
                match self
                    .inflate
                    .decompress_vec(&input[consumed..], out, FlushDecompress::None)
                {
                    Ok(status) => status,
                    Err(e) => break Err(DecodeError::Bad(format!("corrupt Flate data: {e}"))),
                };
            consumed += (self.inflate.total_in() - before_in) as usize;
            if out.len() - start > limit {
                break Err(DecodeError::Budget);
            }
            if status == Status::StreamEnd {
                break Ok(());
            }
            let spare = out.len() < out.capacity();
            if consumed >= input.len() && spare {
                // The data ends without the end-of-stream mark (truncated, or no checksum):
                // keep what decoded, as viewers do.
                break Ok(());
            }
            if spare && out.len() == before_out && self.inflate.total_in() == before_in {
                break Err(DecodeError::Bad("Flate data makes no progress".into()));
            }
        };
        if !zlib {
            self.inflate = Decompress::new(true);
        }
        result
    }

    /// The merged content as a stream: plain up to [`COMPRESS_FROM`] bytes (re-compressing
    /// every small page costs more than the whole lopdf load and save: docs/bench-pdf.md),
    /// Flate-compressed at the fastest level above.
    pub(crate) fn encode(&mut self, content: &[u8]) -> Stream {
        if content.len() < COMPRESS_FROM {
            return Stream::new(Dictionary::new(), content.to_vec());
        }
        self.deflate.reset();
        let mut out = Vec::with_capacity(content.len() / 3 + 64);
        loop {
            let before_in = self.deflate.total_in() as usize;
            match self
                .deflate
                .compress_vec(&content[before_in..], &mut out, FlushCompress::Finish)
            {
                Ok(Status::StreamEnd) => break,
                Ok(_) => out.reserve(out.capacity().max(64)),
                // Compressing into a Vec cannot fail; keep the content plain if it ever does.
                Err(_) => return Stream::new(Dictionary::new(), content.to_vec()),
            }
        }
        // The first guess of the size is generous; keep only what is used, since every page's
        // stream stays in memory until the file is written.
        out.shrink_to_fit();
        let mut dict = Dictionary::new();
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        Stream::new(dict, out)
    }
}

/// The filter names of a stream, in decoding order (none for plain content).
fn filters(dict: &Dictionary) -> Result<Vec<Vec<u8>>, DecodeError> {
    match dict.get(b"Filter") {
        Err(_) | Ok(Object::Null) => Ok(Vec::new()),
        Ok(Object::Name(name)) => Ok(vec![name.clone()]),
        Ok(Object::Array(items)) => items
            .iter()
            .map(|item| match item {
                Object::Name(name) => Ok(name.clone()),
                _ => Err(DecodeError::Bad("/Filter array holds a non-name".into())),
            })
            .collect(),
        Ok(_) => Err(DecodeError::Bad(
            "/Filter is neither a name nor an array".into(),
        )),
    }
}
