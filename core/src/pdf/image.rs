//! PNG signature images as PDF image XObjects (FlateDecode, alpha as a soft mask).

use lopdf::{Dictionary, Object, Stream};

use super::PdfError;

/// Largest accepted signature image, in pixels per side.
const MAX_SIDE: u32 = 4096;
/// Largest decoded image accepted, in bytes (guards against decompression bombs).
const MAX_DECODED: usize = 64 * 1024 * 1024;

/// A decoded image ready to embed.
pub(crate) struct EmbeddedImage {
    pub width: u32,
    pub height: u32,
    pub image: Stream,
    pub alpha: Option<Stream>,
}

fn image_stream(
    width: u32,
    height: u32,
    colour_space: &str,
    samples: Vec<u8>,
) -> Result<Stream, PdfError> {
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Image".to_vec()));
    dict.set("Width", Object::Integer(i64::from(width)));
    dict.set("Height", Object::Integer(i64::from(height)));
    dict.set("ColorSpace", Object::Name(colour_space.as_bytes().to_vec()));
    dict.set("BitsPerComponent", Object::Integer(8));
    let mut stream = Stream::new(dict, samples);
    stream
        .compress()
        .map_err(|e| PdfError::new(format!("signature image: cannot compress: {e}")))?;
    Ok(stream)
}

/// Decodes a PNG (greyscale, grey + alpha, RGB, RGBA, palette with or without
/// transparency, any bit depth) into an image XObject and, if it has transparency, a soft
/// mask.
pub(crate) fn embed_png(bytes: &[u8]) -> Result<EmbeddedImage, PdfError> {
    let bad = |e: &dyn std::fmt::Display| {
        PdfError::new(format!("signature image is not a readable PNG: {e}"))
    };
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits { bytes: MAX_DECODED },
    );
    // Palette -> RGB(A), tRNS -> alpha, bit depths below 8 -> 8, 16 -> 8.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| bad(&e))?;
    let (width, height) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PdfError::new(format!(
            "signature image is {width}x{height} pixels; accepted sizes are 1 to {MAX_SIDE} per side"
        )));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| PdfError::new("signature image is too large".to_string()))?;
    if size > MAX_DECODED {
        return Err(PdfError::new("signature image is too large".to_string()));
    }
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(|e| bad(&e))?;
    if frame.bit_depth != png::BitDepth::Eight {
        return Err(PdfError::new(format!(
            "signature image: unsupported bit depth {:?}",
            frame.bit_depth
        )));
    }
    let pixels = (width as usize) * (height as usize);
    let data = &buf[..frame.buffer_size()];
    let (colour, alpha, space) = match frame.color_type {
        png::ColorType::Grayscale => (data.to_vec(), None, "DeviceGray"),
        png::ColorType::Rgb => (data.to_vec(), None, "DeviceRGB"),
        png::ColorType::GrayscaleAlpha => {
            let mut grey = Vec::with_capacity(pixels);
            let mut alpha = Vec::with_capacity(pixels);
            for px in data.chunks_exact(2) {
                grey.push(px[0]);
                alpha.push(px[1]);
            }
            (grey, Some(alpha), "DeviceGray")
        }
        png::ColorType::Rgba => {
            let mut rgb = Vec::with_capacity(pixels * 3);
            let mut alpha = Vec::with_capacity(pixels);
            for px in data.chunks_exact(4) {
                rgb.extend_from_slice(&px[..3]);
                alpha.push(px[3]);
            }
            (rgb, Some(alpha), "DeviceRGB")
        }
        other => {
            return Err(PdfError::new(format!(
                "signature image: unsupported PNG colour type {other:?}"
            )))
        }
    };
    let expected = pixels * if space == "DeviceRGB" { 3 } else { 1 };
    if colour.len() != expected {
        return Err(PdfError::new(
            "signature image: truncated pixel data".to_string(),
        ));
    }
    // A fully opaque alpha channel needs no mask.
    let alpha = alpha.filter(|a| a.iter().any(|&v| v != 255));
    let alpha = match alpha {
        Some(a) => Some(image_stream(width, height, "DeviceGray", a)?),
        None => None,
    };
    Ok(EmbeddedImage {
        width,
        height,
        image: image_stream(width, height, space, colour)?,
        alpha,
    })
}
