//! In-process checks of the stamped structure (the real-tool checks are in
//! core/tests/pdf_tools.rs).

use super::*;

fn load(bytes: &[u8]) -> Document {
    Document::load_mem(bytes).unwrap()
}

/// Two pages sharing one indirect resources dictionary inherited from the page tree, the
/// second page rotated by inheritance from an intermediate node.
fn shared_resources_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.3");
    let root_pages = doc.new_object_id();
    let inner_pages = doc.new_object_id();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Courier".to_vec()));
    let font = doc.add_object(font);
    let mut fonts = Dictionary::new();
    fonts.set("PtlHelv", Object::Reference(font)); // a name clash on purpose
    let fonts = doc.add_object(fonts);
    let mut res = Dictionary::new();
    res.set("Font", Object::Reference(fonts));
    let res = doc.add_object(res);
    let c1 = doc.add_object(Stream::new(
        Dictionary::new(),
        b"2 0 0 2 0 0 cm BT /PtlHelv 12 Tf 10 10 Td (one) Tj ET".to_vec(),
    ));
    let c2 = doc.add_object(Stream::new(
        Dictionary::new(),
        b"BT /PtlHelv 12 Tf 10 10 Td (two) Tj ET".to_vec(),
    ));
    let mut p1 = Dictionary::new();
    p1.set("Type", Object::Name(b"Page".to_vec()));
    p1.set("Parent", Object::Reference(root_pages));
    p1.set("Contents", Object::Reference(c1));
    let p1 = doc.add_object(p1);
    let mut p2 = Dictionary::new();
    p2.set("Type", Object::Name(b"Page".to_vec()));
    p2.set("Parent", Object::Reference(inner_pages));
    p2.set("Contents", Object::Array(vec![Object::Reference(c2)]));
    let p2 = doc.add_object(p2);
    let mut inner = Dictionary::new();
    inner.set("Type", Object::Name(b"Pages".to_vec()));
    inner.set("Parent", Object::Reference(root_pages));
    inner.set("Kids", vec![Object::Reference(p2)]);
    inner.set("Count", 1);
    inner.set("Rotate", 90);
    doc.objects.insert(inner_pages, Object::Dictionary(inner));
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set(
        "Kids",
        vec![Object::Reference(p1), Object::Reference(inner_pages)],
    );
    tree.set("Count", 2);
    tree.set("Resources", Object::Reference(res));
    tree.set(
        "MediaBox",
        vec![100.into(), 200.into(), 400.into(), 600.into()],
    );
    doc.objects.insert(root_pages, Object::Dictionary(tree));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(root_pages));
    let catalog = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn shared_resources_are_copied_not_edited() {
    let input = shared_resources_pdf();
    let before = input.clone();
    let out = watermark(&input, "POUR CONSULTATION UNIQUEMENT").unwrap();
    assert_eq!(input, before, "input untouched");
    let doc = load(&out);
    // The original shared dictionaries still hold exactly the clashing font.
    let original_fonts = doc.get_dictionary((2 + 2, 0)).unwrap();
    assert_eq!(original_fonts.len(), 1);
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let mut resources = Vec::new();
    for page in &pages {
        let dict = doc.get_dictionary(*page).unwrap();
        let res_id = dict.get(b"Resources").unwrap().as_reference().unwrap();
        resources.push(res_id);
        let res = doc.get_dictionary(res_id).unwrap();
        // The shared /Font dictionary is extended once, by reference, not copied per page.
        let fonts_id = res.get(b"Font").unwrap().as_reference().unwrap();
        let fonts = doc.get_dictionary(fonts_id).unwrap();
        assert!(fonts.has(b"PtlHelv"), "original font kept");
        assert!(fonts.has(b"PtlHelv1"), "stamp font under a fresh name");
        // One content stream: q, the page's own content, Q, the stamp.
        let id = dict.get(b"Contents").unwrap().as_reference().unwrap();
        let content = doc
            .get_object(id)
            .unwrap()
            .as_stream()
            .unwrap()
            .decompressed_content()
            .unwrap();
        assert!(content.starts_with(b"q\n"));
        assert!(content
            .windows(8)
            .any(|w| w == b"(one) Tj" || w == b"(two) Tj"));
        assert!(content.windows(4).any(|w| w == b"Q\nq\n"));
        assert!(content.windows(9).any(|w| w == b"/PtlHelv1"));
    }
    assert_eq!(
        resources[0], resources[1],
        "pages sharing resources share the copy"
    );
    assert!(doc.version.as_str() >= "1.4", "{}", doc.version);
}

#[test]
fn rotated_page_gets_a_rotated_matrix() {
    let out = watermark(&shared_resources_pdf(), "X").unwrap();
    let doc = load(&out);
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let stamp = |page: ObjectId| String::from_utf8(doc.get_page_content(page)).unwrap();
    assert!(
        stamp(pages[0]).contains("1 0 0 1 100 200 cm"),
        "{}",
        stamp(pages[0])
    );
    assert!(
        stamp(pages[1]).contains("0 1 -1 0 400 200 cm"),
        "{}",
        stamp(pages[1])
    );
}

#[test]
fn signature_goes_on_the_last_page_only() {
    let pdf = sample_pdf(&["a", "b", "c"]);
    let stamp = SignatureStamp {
        lines: vec![
            "Signé électroniquement par MOI MEME".into(),
            "le 08/03/2019 à 16:55".into(),
        ],
        placement: SignaturePlacement::Right,
        image_png: None,
    };
    let doc = load(&stamp_signature(&pdf, &stamp).unwrap());
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    for (i, page) in pages.iter().enumerate() {
        let contents = doc.get_dictionary(*page).unwrap().get(b"Contents").unwrap();
        assert_eq!(contents.as_array().is_ok(), i == 2, "page {i}");
    }
}

#[test]
fn garbage_is_a_typed_error() {
    for input in [
        &b""[..],
        b"%PDF-1.4",
        b"hello",
        b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>",
    ] {
        assert!(page_count(input).is_err());
        assert!(watermark(input, "X").is_err());
    }
    let err: crate::Error = watermark(b"", "X").unwrap_err().into();
    assert_eq!(err.code(), "pdf");
}

#[test]
fn empty_inputs_are_rejected() {
    let pdf = sample_pdf(&["a"]);
    assert!(watermark(&pdf, "  ").is_err());
    let empty = SignatureStamp {
        lines: vec![],
        placement: SignaturePlacement::Left,
        image_png: None,
    };
    assert!(stamp_signature(&pdf, &empty).is_err());
    let bad_png = SignatureStamp {
        lines: vec!["x".into()],
        placement: SignaturePlacement::Left,
        image_png: Some(b"nope".to_vec()),
    };
    assert!(stamp_signature(&pdf, &bad_png)
        .unwrap_err()
        .reason
        .contains("PNG"));
}
