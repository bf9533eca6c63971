//! The incremental path: read only the trailer, the cross-reference table and the page tree,
//! stamp, and append the new and changed objects with a new xref section whose trailer
//! points back (`/Prev`) to the original one (ISO 32000-1, 7.5.6). The original bytes are
//! kept as they are, which also keeps earlier digital signatures valid for the revision they
//! signed.
//!
//! Handles classic cross-reference tables (with earlier incremental updates). Anything else
//! (cross-reference streams, hybrid files, object streams, encryption, linearized files,
//! PDF < 1.4, an offset that does not point at the expected object) returns `None` and the
//! caller falls back to the full lopdf load + save.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

/// Longest `/Prev` chain followed.
const MAX_SECTIONS: usize = 64;
/// Deepest page tree accepted.
const MAX_TREE_DEPTH: usize = 64;
/// Deepest nesting of arrays and dictionaries in one object.
const MAX_NESTING: usize = 64;

/// Why the incremental path does not apply (the full path is used instead).
pub(crate) type Unsupported = &'static str;

/// What is needed to append an update to the original file.
pub(crate) struct Partial {
    trailer: Dictionary,
    startxref: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// A tiny PDF object parser over a byte slice.
struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn at(buf: &'a [u8], pos: usize) -> Parser<'a> {
        Parser { buf, pos }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self.pos < self.buf.len() && !matches!(self.buf[self.pos], b'\n' | b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A regular token (keyword or number) without consuming delimiters.
    fn word(&mut self) -> &'a [u8] {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.buf.len()
            && !is_white(self.buf[self.pos])
            && !is_delim(self.buf[self.pos])
        {
            self.pos += 1;
        }
        &self.buf[start..self.pos]
    }

    fn keyword(&mut self, kw: &[u8]) -> bool {
        let save = self.pos;
        if self.word() == kw {
            true
        } else {
            self.pos = save;
            false
        }
    }

    fn uint(&mut self) -> Option<u64> {
        let w = self.word();
        if w.is_empty() || w.len() > 19 || !w.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(w).ok()?.parse().ok()
    }

    fn object(&mut self, depth: usize) -> Option<Object> {
        if depth > MAX_NESTING {
            return None;
        }
        self.skip_ws();
        let b = *self.buf.get(self.pos)?;
        match b {
            b'/' => {
                self.pos += 1;
                Some(Object::Name(self.name_body()?))
            }
            b'(' => self.literal_string(),
            b'<' if self.buf.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut dict = Dictionary::new();
                loop {
                    self.skip_ws();
                    match self.buf.get(self.pos)? {
                        b'>' if self.buf.get(self.pos + 1) == Some(&b'>') => {
                            self.pos += 2;
                            return Some(Object::Dictionary(dict));
                        }
                        b'/' => {
                            self.pos += 1;
                            let key = self.name_body()?;
                            let value = self.object(depth + 1)?;
                            dict.set(key, value);
                        }
                        _ => return None,
                    }
                }
            }
            b'<' => self.hex_string(),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if *self.buf.get(self.pos)? == b']' {
                        self.pos += 1;
                        return Some(Object::Array(items));
                    }
                    items.push(self.object(depth + 1)?);
                }
            }
            _ => {
                let w = self.word();
                match w {
                    b"true" => Some(Object::Boolean(true)),
                    b"false" => Some(Object::Boolean(false)),
                    b"null" => Some(Object::Null),
                    _ => self.number_or_reference(w),
                }
            }
        }
    }

    fn number_or_reference(&mut self, w: &[u8]) -> Option<Object> {
        let s = std::str::from_utf8(w).ok()?;
        if s.is_empty() {
            return None;
        }
        if s.bytes().all(|c| c.is_ascii_digit()) {
            // Maybe "N G R".
            let save = self.pos;
            if let (Some(generation), true) = (self.uint(), self.keyword(b"R")) {
                if let (Ok(id), Ok(generation)) = (s.parse::<u32>(), u16::try_from(generation)) {
                    return Some(Object::Reference((id, generation)));
                }
                return None;
            }
            self.pos = save;
        }
        if let Ok(i) = s.parse::<i64>() {
            return Some(Object::Integer(i));
        }
        let valid = s
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+'));
        if valid {
            let trimmed = s.strip_suffix('.').unwrap_or(s);
            if let Ok(r) = trimmed.parse::<f32>() {
                return Some(Object::Real(r));
            }
        }
        None
    }

    fn name_body(&mut self) -> Option<Vec<u8>> {
        let mut name = Vec::new();
        while let Some(&b) = self.buf.get(self.pos) {
            if is_white(b) || is_delim(b) {
                break;
            }
            self.pos += 1;
            if b == b'#' {
                let hex = self.buf.get(self.pos..self.pos + 2)?;
                let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                self.pos += 2;
                name.push(v);
            } else {
                name.push(b);
            }
        }
        Some(name)
    }

    fn literal_string(&mut self) -> Option<Object> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut level = 1usize;
        loop {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            match b {
                b'(' => {
                    level += 1;
                    out.push(b);
                }
                b')' => {
                    level -= 1;
                    if level == 0 {
                        return Some(Object::String(out, StringFormat::Literal));
                    }
                    out.push(b);
                }
                b'\\' => {
                    let e = *self.buf.get(self.pos)?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.buf.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.buf.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
    }

    fn hex_string(&mut self) -> Option<Object> {
        self.pos += 1;
        let mut digits = Vec::new();
        loop {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            match b {
                b'>' => break,
                b if is_white(b) => {}
                b if b.is_ascii_hexdigit() => digits.push(b),
                _ => return None,
            }
        }
        if digits.len() % 2 == 1 {
            digits.push(b'0');
        }
        let bytes = digits
            .chunks(2)
            .map(|pair| {
                let s = std::str::from_utf8(pair).unwrap_or("00");
                u8::from_str_radix(s, 16).unwrap_or(0)
            })
            .collect();
        Some(Object::String(bytes, StringFormat::Hexadecimal))
    }
}

/// What sits at an xref offset: a plain object, or a stream (its dictionary only).
enum Indirect {
    Plain(Object),
    Stream,
}

struct Reader<'a> {
    buf: &'a [u8],
    /// Object number -> (offset, generation) of in-use objects.
    offsets: BTreeMap<u32, (usize, u16)>,
}

impl Reader<'_> {
    fn read(&self, id: ObjectId) -> Result<Indirect, Unsupported> {
        let &(offset, generation) = self
            .offsets
            .get(&id.0)
            .ok_or("object not in the xref table")?;
        if generation != id.1 {
            return Err("generation mismatch");
        }
        let mut p = Parser::at(self.buf, offset);
        let num = p.uint().ok_or("xref offset does not point at an object")?;
        let gen = p.uint().ok_or("xref offset does not point at an object")?;
        if num != u64::from(id.0) || gen != u64::from(id.1) || !p.keyword(b"obj") {
            return Err("xref offset does not point at the expected object");
        }
        let obj = p.object(0).ok_or("unparsable object")?;
        if matches!(obj, Object::Dictionary(_)) && p.keyword(b"stream") {
            return Ok(Indirect::Stream);
        }
        Ok(Indirect::Plain(obj))
    }

    /// Whether object `id` is an array, reading only its header and first byte. Anything but
    /// an array or a dictionary (a stream) is refused.
    fn starts_array(&self, id: ObjectId) -> Result<bool, Unsupported> {
        let &(offset, generation) = self
            .offsets
            .get(&id.0)
            .ok_or("object not in the xref table")?;
        let mut p = Parser::at(self.buf, offset);
        let num = p.uint().ok_or("xref offset does not point at an object")?;
        let gen = p.uint().ok_or("xref offset does not point at an object")?;
        if num != u64::from(id.0)
            || gen != u64::from(id.1)
            || generation != id.1
            || !p.keyword(b"obj")
        {
            return Err("xref offset does not point at the expected object");
        }
        p.skip_ws();
        match p.buf.get(p.pos) {
            Some(b'[') => Ok(true),
            Some(b'<') => Ok(false),
            _ => Err("/Contents is neither a stream nor an array"),
        }
    }

    fn plain(&self, id: ObjectId) -> Result<Object, Unsupported> {
        match self.read(id)? {
            Indirect::Plain(o) => Ok(o),
            Indirect::Stream => Err("unexpected stream"),
        }
    }
}

/// Finds `startxref` near the end of the file.
fn startxref(buf: &[u8]) -> Option<usize> {
    let tail_start = buf.len().saturating_sub(1024);
    let tail = &buf[tail_start..];
    let at = tail.windows(9).rposition(|w| w == b"startxref")?;
    let mut p = Parser::at(buf, tail_start + at + 9);
    usize::try_from(p.uint()?).ok()
}

/// Reads one classic xref section and its trailer at `offset`, adding entries not already
/// known (newer sections are read first).
fn xref_section(
    buf: &[u8],
    offset: usize,
    offsets: &mut BTreeMap<u32, (usize, u16)>,
    seen: &mut HashSet<u32>,
) -> Result<Dictionary, Unsupported> {
    let mut p = Parser::at(buf, offset);
    if !p.keyword(b"xref") {
        return Err("cross-reference stream");
    }
    loop {
        let save = p.pos;
        if p.keyword(b"trailer") {
            break;
        }
        p.pos = save;
        let first = p.uint().ok_or("bad xref subsection")?;
        let count = p.uint().ok_or("bad xref subsection")?;
        if count > 10_000_000 || first + count > u64::from(u32::MAX) {
            return Err("bad xref subsection");
        }
        for i in 0..count {
            let off = p.uint().ok_or("bad xref entry")?;
            let gen = p.uint().ok_or("bad xref entry")?;
            let kind = p.word();
            let id = (first + i) as u32;
            if !seen.insert(id) {
                continue;
            }
            match kind {
                b"n" => {
                    let off = usize::try_from(off).map_err(|_| "bad xref entry")?;
                    let gen = u16::try_from(gen).map_err(|_| "bad xref entry")?;
                    if off >= buf.len() {
                        return Err("xref offset beyond the end of the file");
                    }
                    offsets.insert(id, (off, gen));
                }
                b"f" => {}
                _ => return Err("bad xref entry"),
            }
        }
    }
    match p.object(0) {
        Some(Object::Dictionary(d)) => Ok(d),
        _ => Err("bad trailer"),
    }
}

fn reference(obj: Option<&Object>) -> Option<ObjectId> {
    match obj {
        Some(Object::Reference(id)) => Some(*id),
        _ => None,
    }
}

/// Reads the trailer, the xref table and the page tree (with the objects the stamper looks
/// at: inherited attributes, resources and their font / graphics state / image
/// dictionaries, content arrays): a partial document, its pages in order, and what is needed
/// to append to it.
pub(crate) fn read(buf: &[u8]) -> Result<(Document, Vec<ObjectId>, Partial), Unsupported> {
    let version_ok = buf.starts_with(b"%PDF-1.4")
        || buf.starts_with(b"%PDF-1.5")
        || buf.starts_with(b"%PDF-1.6")
        || buf.starts_with(b"%PDF-1.7")
        || buf.starts_with(b"%PDF-2.");
    if !version_ok {
        return Err("header not at offset 0 or PDF older than 1.4");
    }
    let start = startxref(buf).ok_or("no startxref")?;
    let mut offsets = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut trailer = None;
    let mut next = Some(start);
    let mut visited = HashSet::new();
    while let Some(offset) = next {
        if visited.len() >= MAX_SECTIONS || !visited.insert(offset) || offset >= buf.len() {
            return Err("bad /Prev chain");
        }
        let section = xref_section(buf, offset, &mut offsets, &mut seen)?;
        if section.has(b"XRefStm") {
            return Err("hybrid file (/XRefStm)");
        }
        next = match section.get(b"Prev") {
            Ok(Object::Integer(i)) => Some(usize::try_from(*i).map_err(|_| "bad /Prev")?),
            Ok(_) => return Err("bad /Prev"),
            Err(_) => None,
        };
        if trailer.is_none() {
            trailer = Some(section);
        }
    }
    let trailer = trailer.ok_or("no trailer")?;
    if trailer.has(b"Encrypt") {
        return Err("encrypted");
    }
    let size = match trailer.get(b"Size") {
        Ok(Object::Integer(i)) if *i > 0 && *i <= i64::from(u32::MAX) => *i as u32,
        _ => return Err("bad /Size"),
    };
    let reader = Reader { buf, offsets };
    // A linearized file keeps its first-page hint tables valid only unmodified: its
    // linearization dictionary is the first object of the file.
    if let Some((&first, &(_, generation))) =
        reader.offsets.iter().min_by_key(|(_, (offset, _))| *offset)
    {
        if let Ok(Indirect::Plain(Object::Dictionary(d))) = reader.read((first, generation)) {
            if d.has(b"Linearized") {
                return Err("linearized");
            }
        }
    }

    let mut doc = Document::with_version("1.4");
    doc.max_id = size - 1;
    let root_id = reference(trailer.get(b"Root").ok()).ok_or("no /Root")?;
    let root = reader.plain(root_id)?;
    let pages_id = match &root {
        Object::Dictionary(d) => reference(d.get(b"Pages").ok()).ok_or("no page tree")?,
        _ => return Err("bad catalog"),
    };
    doc.objects.insert(root_id, root);

    // Walk the page tree.
    let mut pages = Vec::new();
    let mut visited_nodes = HashSet::new();
    let mut stack = vec![(pages_id, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        if depth > MAX_TREE_DEPTH || !visited_nodes.insert(id) {
            return Err("bad page tree");
        }
        let node = match reader.plain(id)? {
            Object::Dictionary(d) => d,
            _ => return Err("page tree node is not a dictionary"),
        };
        load_attributes(&reader, &mut doc, &node)?;
        let kids = match node.get(b"Kids") {
            Ok(Object::Array(kids)) => Some(kids.clone()),
            Ok(Object::Reference(_)) => return Err("indirect /Kids"),
            _ => None,
        };
        let is_pages =
            matches!(node.get(b"Type"), Ok(Object::Name(n)) if n == b"Pages") || kids.is_some();
        if is_pages {
            for kid in kids.unwrap_or_default().iter().rev() {
                stack.push((reference(Some(kid)).ok_or("bad /Kids entry")?, depth + 1));
            }
        } else {
            if let Ok(Object::Reference(contents)) = node.get(b"Contents") {
                // Only an array needs reading; a stream is left as it is.
                if reader.starts_array(*contents)? {
                    match reader.plain(*contents)? {
                        obj @ Object::Array(_) => {
                            doc.objects.insert(*contents, obj);
                        }
                        _ => return Err("bad /Contents array"),
                    }
                }
            }
            pages.push(id);
        }
        doc.objects.insert(id, Object::Dictionary(node));
    }
    if pages.is_empty() {
        return Err("no pages");
    }
    Ok((
        doc,
        pages,
        Partial {
            trailer,
            startxref: start,
        },
    ))
}

/// Loads the indirect values the stamper resolves: boxes, `/Rotate`, `/Resources` and its
/// `/Font`, `/ExtGState` and `/XObject` dictionaries.
fn load_attributes(
    reader: &Reader,
    doc: &mut Document,
    node: &Dictionary,
) -> Result<(), Unsupported> {
    for key in [&b"MediaBox"[..], b"CropBox", b"Rotate"] {
        if let Ok(Object::Reference(id)) = node.get(key) {
            let obj = reader.plain(*id)?;
            if let Object::Array(items) = &obj {
                if items.iter().any(|i| matches!(i, Object::Reference(_))) {
                    return Err("indirect box coordinates");
                }
            }
            doc.objects.insert(*id, obj);
        }
    }
    let resources = match node.get(b"Resources") {
        Ok(Object::Reference(id)) => {
            if doc.objects.contains_key(id) {
                return Ok(());
            }
            let obj = reader.plain(*id)?;
            doc.objects.insert(*id, obj.clone());
            obj
        }
        Ok(obj) => obj.clone(),
        Err(_) => return Ok(()),
    };
    if let Object::Dictionary(res) = resources {
        for key in [&b"Font"[..], b"ExtGState", b"XObject"] {
            if let Ok(Object::Reference(id)) = res.get(key) {
                if !doc.objects.contains_key(id) {
                    let obj = reader.plain(*id)?;
                    doc.objects.insert(*id, obj);
                }
            }
        }
    }
    Ok(())
}

/// Appends the objects that changed (`changed`) or were added (ids above the original
/// `/Size`) to the original file, with an xref section and a trailer pointing back.
pub(crate) fn write(
    original: &[u8],
    partial: &Partial,
    doc: &Document,
    changed: &HashSet<ObjectId>,
) -> Result<Vec<u8>, Unsupported> {
    let first_new = partial.doc_size();
    let mut ids: Vec<ObjectId> = doc
        .objects
        .keys()
        .filter(|id| id.0 >= first_new || changed.contains(id))
        .copied()
        .collect();
    ids.sort();
    let mut out = Vec::with_capacity(original.len() + 1024 + ids.len() * 256);
    out.extend_from_slice(original);
    if out.last() != Some(&b'\n') {
        out.push(b'\n');
    }
    let mut entries: Vec<(ObjectId, usize)> = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(obj) = doc.objects.get(&id) else {
            continue;
        };
        entries.push((id, out.len()));
        let _ = writeln!(out, "{} {} obj", id.0, id.1);
        lopdf::Writer::write_object(&mut out, obj).map_err(|_| "cannot write object")?;
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < entries.len() {
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 .0 == entries[j - 1].0 .0 + 1 {
            j += 1;
        }
        let _ = writeln!(out, "{} {}", entries[i].0 .0, j - i);
        for (id, offset) in &entries[i..j] {
            let _ = write!(out, "{offset:010} {:05} n\r\n", id.1);
        }
        i = j;
    }
    let mut trailer = partial.trailer.clone();
    trailer.remove(b"Prev");
    trailer.set("Size", Object::Integer(i64::from(doc.max_id) + 1));
    trailer.set("Prev", Object::Integer(partial.startxref as i64));
    out.extend_from_slice(b"trailer\n");
    lopdf::Writer::write_object(&mut out, &Object::Dictionary(trailer))
        .map_err(|_| "cannot write trailer")?;
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(out)
}

impl Partial {
    /// The number of object slots of the original file (its trailer's `/Size`).
    pub(crate) fn doc_size(&self) -> u32 {
        match self.trailer.get(b"Size") {
            Ok(Object::Integer(i)) => *i as u32,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Object {
        Parser::at(s.as_bytes(), 0).object(0).unwrap()
    }

    #[test]
    fn parses_the_object_syntax() {
        assert_eq!(parse("12 0 R"), Object::Reference((12, 0)));
        assert_eq!(parse("12 0"), Object::Integer(12));
        assert_eq!(parse("-3.5"), Object::Real(-3.5));
        assert_eq!(parse(".5"), Object::Real(0.5));
        assert_eq!(parse("/A#20B"), Object::Name(b"A B".to_vec()));
        assert_eq!(
            parse("(a(b)\\)\\101\\\nz)"),
            Object::String(b"a(b))Az".to_vec(), StringFormat::Literal)
        );
        assert_eq!(
            parse("<41 4 1>"),
            Object::String(b"AA".to_vec(), StringFormat::Hexadecimal)
        );
        assert_eq!(
            parse("<414>"),
            Object::String(b"A@".to_vec(), StringFormat::Hexadecimal)
        );
        let d =
            parse("<< /Type /Page /Kids [1 0 R 2 0 R] /N null /B true % c\n /M [0 0 595.3 842] >>");
        let d = d.as_dict().unwrap();
        assert_eq!(d.get(b"Kids").unwrap().as_array().unwrap().len(), 2);
        assert_eq!(
            d.get(b"M").unwrap().as_array().unwrap()[2],
            Object::Real(595.3)
        );
        assert!(
            Parser::at(&[b'['; 200], 0).object(0).is_none(),
            "nesting is bounded"
        );
        assert!(Parser::at(b"<< /A ", 0).object(0).is_none());
    }
}
