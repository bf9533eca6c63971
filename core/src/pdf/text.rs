//! Text for the standard Helvetica font: WinAnsiEncoding, widths, PDF string forms.

use super::metrics::HELVETICA_WIDTHS;
use super::PdfError;

/// The WinAnsiEncoding code of `c`, if the encoding has one.
///
/// WinAnsiEncoding (PDF 32000-1, Annex D) is Windows code page 1252: ASCII, Latin-1 from
/// 0xA0 and the typographic characters (€, œ, Œ, Ÿ, quotes, dashes) in 0x80..=0x9F.
pub(crate) fn winansi_code(c: char) -> Option<u8> {
    let u = c as u32;
    match u {
        0x20..=0x7E => Some(u as u8),
        0xA0..=0xFF => Some(u as u8),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => return None,
        }),
    }
}

/// Encodes `text` in WinAnsiEncoding, or names every character it cannot encode.
pub(crate) fn encode_winansi(text: &str, what: &str) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::with_capacity(text.len());
    let mut bad: Vec<char> = Vec::new();
    for c in text.chars() {
        match winansi_code(c) {
            Some(b) => out.push(b),
            None => {
                if !bad.contains(&c) {
                    bad.push(c);
                }
            }
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        let names: Vec<String> = bad
            .iter()
            .map(|c| format!("'{}' (U+{:04X})", c.escape_debug(), *c as u32))
            .collect();
        Err(PdfError::new(format!(
            "{what} has characters the standard Helvetica font (WinAnsiEncoding) cannot show: {}",
            names.join(", ")
        )))
    }
}

/// Replaces the characters WinAnsiEncoding cannot show: letters with a diacritic outside
/// Latin-1 by their base letter (ł -> l, ő -> o, ș -> s, ...), line breaks and tabs by a
/// space, everything else by `?`. The result always passes [`super::watermark`] and
/// [`super::stamp_signature`].
///
/// ```
/// assert_eq!(portail::pdf::to_winansi_lossy("Łukasz Żółć\tété"), "Lukasz Zólc été");
/// assert_eq!(portail::pdf::to_winansi_lossy("签名"), "??");
/// ```
pub fn to_winansi_lossy(text: &str) -> String {
    text.chars()
        .map(|c| {
            if winansi_code(c).is_some() {
                return c;
            }
            if c.is_whitespace() {
                return ' ';
            }
            base_letter(c).unwrap_or('?')
        })
        .collect()
}

/// The base letter of the common Central European, Baltic, Romanian and Turkish letters
/// that are outside WinAnsiEncoding.
fn base_letter(c: char) -> Option<char> {
    const MAP: &[(&str, char)] = &[
        ("ĀĂĄǍ", 'A'),
        ("āăąǎ", 'a'),
        ("ĆĈĊČ", 'C'),
        ("ćĉċč", 'c'),
        ("ĎĐ", 'D'),
        ("ďđ", 'd'),
        ("ĒĔĖĘĚ", 'E'),
        ("ēĕėęě", 'e'),
        ("ĜĞĠĢ", 'G'),
        ("ĝğġģ", 'g'),
        ("ĤĦ", 'H'),
        ("ĥħ", 'h'),
        ("ĨĪĬĮİ", 'I'),
        ("ĩīĭįı", 'i'),
        ("Ĵ", 'J'),
        ("ĵ", 'j'),
        ("Ķ", 'K'),
        ("ķ", 'k'),
        ("ĹĻĽĿŁ", 'L'),
        ("ĺļľŀł", 'l'),
        ("ŃŅŇ", 'N'),
        ("ńņň", 'n'),
        ("ŌŎŐ", 'O'),
        ("ōŏő", 'o'),
        ("ŔŖŘ", 'R'),
        ("ŕŗř", 'r'),
        ("ŚŜŞȘ", 'S'),
        ("śŝşș", 's'),
        ("ŢŤŦȚ", 'T'),
        ("ţťŧț", 't'),
        ("ŨŪŬŮŰŲ", 'U'),
        ("ũūŭůűų", 'u'),
        ("Ŵ", 'W'),
        ("ŵ", 'w'),
        ("Ŷ", 'Y'),
        ("ŷ", 'y'),
        ("ŹŻ", 'Z'),
        ("źż", 'z'),
    ];
    MAP.iter()
        .find(|(set, _)| set.contains(c))
        .map(|(_, base)| *base)
}

/// Width of WinAnsi-encoded `bytes` in Helvetica, in thousandths of the font size.
pub(crate) fn helvetica_width(bytes: &[u8]) -> f64 {
    bytes
        .iter()
        .map(|&b| {
            if b >= 0x20 {
                f64::from(HELVETICA_WIDTHS[usize::from(b - 0x20)])
            } else {
                0.0
            }
        })
        .sum()
}

/// A PDF hexadecimal string `<...>` of `bytes`.
pub(crate) fn hex_string(bytes: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(b'<');
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 15)]);
    }
    out.push(b'>');
}

/// A PDF text string (UTF-16BE with byte order mark) of `text` as a hexadecimal string.
pub(crate) fn utf16_hex_string(text: &str, out: &mut Vec<u8>) {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    hex_string(&bytes, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_text_encodes_to_winansi() {
        let bytes = encode_winansi("Signé à Noël, 5 € – œuvre « ÇA »", "t").unwrap();
        assert!(bytes.contains(&0xE9));
        assert!(bytes.contains(&0xE0));
        assert!(bytes.contains(&0xEB));
        assert!(bytes.contains(&0x80));
        assert!(bytes.contains(&0x96));
        assert!(bytes.contains(&0x9C));
        assert!(bytes.contains(&0xAB));
        assert!(bytes.contains(&0xC7));
    }

    #[test]
    fn unencodable_characters_are_named() {
        let err = encode_winansi("Łukasz 签名 Ł", "line").unwrap_err();
        assert!(err.reason.contains("U+0141"), "{}", err.reason);
        assert!(err.reason.contains("U+7B7E"), "{}", err.reason);
        assert_eq!(err.reason.matches("U+0141").count(), 1);
        assert!(encode_winansi("a\nb", "line").is_err());
    }

    #[test]
    fn widths_match_helvetica() {
        assert_eq!(helvetica_width(b"A"), 667.0);
        assert_eq!(helvetica_width(&[0xE9]), 556.0);
        assert_eq!(helvetica_width(b" "), 278.0);
    }

    #[test]
    fn lossy_output_always_encodes() {
        for s in ["Łódź", "İstanbul", "Ștefan", "a\r\nb", "签名 😀", "Ærø"] {
            assert!(encode_winansi(&to_winansi_lossy(s), "t").is_ok(), "{s}");
        }
    }
}
