//! Page attributes (inherited from the page tree), visible area and reader-space geometry.

use lopdf::{Dictionary, Document, Object, ObjectId};

/// Deepest page tree walked upwards when resolving inherited attributes.
const MAX_DEPTH: usize = 64;
/// Deepest chain of references followed when resolving one value.
const MAX_DEREF: usize = 32;

/// Follows references (bounded) to the object they name; `None` for a dangling reference.
pub(crate) fn resolve<'a>(doc: &'a Document, mut obj: &'a Object) -> Option<&'a Object> {
    for _ in 0..MAX_DEREF {
        match obj {
            Object::Reference(id) => obj = doc.objects.get(id)?,
            other => return Some(other),
        }
    }
    None
}

/// An attribute of the page, or inherited from its ancestors (`/Parent` chain), as found
/// (not resolved), with the id of the node it was found on.
pub(crate) fn inherited<'a>(
    doc: &'a Document,
    page_id: ObjectId,
    key: &[u8],
) -> Option<(ObjectId, &'a Object)> {
    let mut node_id = page_id;
    // A cycle in /Parent ends at the depth limit.
    for _ in 0..MAX_DEPTH {
        let node = match doc.objects.get(&node_id).and_then(|o| resolve(doc, o)) {
            Some(Object::Dictionary(d)) => d,
            _ => return None,
        };
        if let Ok(value) = node.get(key) {
            if !matches!(value, Object::Null) {
                return Some((node_id, value));
            }
        }
        match node.get(b"Parent") {
            Ok(Object::Reference(parent)) => node_id = *parent,
            _ => return None,
        }
    }
    None
}

fn number(obj: &Object) -> Option<f64> {
    match obj {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// A rectangle normalised so that `x0 <= x1`, `y0 <= y1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    fn from_object(doc: &Document, obj: &Object) -> Option<Rect> {
        let Some(Object::Array(items)) = resolve(doc, obj) else {
            return None;
        };
        if items.len() != 4 {
            return None;
        }
        let mut v = [0.0f64; 4];
        for (slot, item) in v.iter_mut().zip(items) {
            *slot = number(resolve(doc, item)?)?;
            if !slot.is_finite() {
                return None;
            }
        }
        let rect = Rect {
            x0: v[0].min(v[2]),
            y0: v[1].min(v[3]),
            x1: v[0].max(v[2]),
            y1: v[1].max(v[3]),
        };
        (rect.width() > 0.0 && rect.height() > 0.0).then_some(rect)
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    fn intersect(&self, other: &Rect) -> Option<Rect> {
        let r = Rect {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        };
        (r.width() > 0.0 && r.height() > 0.0).then_some(r)
    }
}

/// US Letter, the size poppler and most viewers assume for a page without a MediaBox.
const DEFAULT_MEDIA_BOX: Rect = Rect {
    x0: 0.0,
    y0: 0.0,
    x1: 612.0,
    y1: 792.0,
};

/// Where a page shows and how it is turned: the visible area (CropBox clipped to the
/// MediaBox) in user space and the clockwise `/Rotate` (0, 90, 180 or 270).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PageGeometry {
    pub visible: Rect,
    pub rotate: u16,
}

impl PageGeometry {
    pub fn of(doc: &Document, page_id: ObjectId) -> PageGeometry {
        let media = inherited(doc, page_id, b"MediaBox")
            .and_then(|(_, o)| Rect::from_object(doc, o))
            .unwrap_or(DEFAULT_MEDIA_BOX);
        let visible = inherited(doc, page_id, b"CropBox")
            .and_then(|(_, o)| Rect::from_object(doc, o))
            .and_then(|crop| crop.intersect(&media))
            .unwrap_or(media);
        let rotate = inherited(doc, page_id, b"Rotate")
            .and_then(|(_, o)| resolve(doc, o))
            .and_then(number)
            .map(normalise_rotation)
            .unwrap_or(0);
        PageGeometry { visible, rotate }
    }

    /// Width and height of the page as the reader sees it (after rotation).
    pub fn reader_size(&self) -> (f64, f64) {
        let (w, h) = (self.visible.width(), self.visible.height());
        if self.rotate % 180 == 90 {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// The matrix (`a b c d e f`) from reader space (origin at the bottom-left corner of
    /// the page as displayed, x to the right, y up) to the page's user space.
    pub fn reader_to_user(&self) -> [f64; 6] {
        let Rect { x0, y0, x1, y1 } = self.visible;
        match self.rotate {
            90 => [0.0, 1.0, -1.0, 0.0, x1, y0],
            180 => [-1.0, 0.0, 0.0, -1.0, x1, y1],
            270 => [0.0, -1.0, 1.0, 0.0, x0, y1],
            _ => [1.0, 0.0, 0.0, 1.0, x0, y0],
        }
    }
}

/// `/Rotate` modulo 360 as 0, 90, 180 or 270; a value that is no multiple of 90 counts as 0
/// (as in poppler).
fn normalise_rotation(value: f64) -> u16 {
    if !value.is_finite() {
        return 0;
    }
    let r = value.round() as i64;
    if r % 90 != 0 {
        return 0;
    }
    r.rem_euclid(360) as u16
}

/// Which `/Resources` dictionary the page uses (own or inherited): a key that is the same for
/// every page sharing that very dictionary.
pub(crate) fn resources_key(doc: &Document, page_id: ObjectId) -> ResourcesKey {
    match inherited(doc, page_id, b"Resources") {
        Some((_, Object::Reference(id))) => ResourcesKey::Indirect(*id),
        Some((node, _)) => ResourcesKey::Inline(node),
        None => ResourcesKey::None,
    }
}

/// The resources dictionary a [`ResourcesKey`] names (empty if it is missing or not a
/// dictionary).
pub(crate) fn resources(doc: &Document, key: ResourcesKey) -> Dictionary {
    let found = match key {
        ResourcesKey::Indirect(id) => doc.objects.get(&id).and_then(|o| resolve(doc, o)),
        ResourcesKey::Inline(node) => {
            inherited(doc, node, b"Resources").and_then(|(_, o)| resolve(doc, o))
        }
        ResourcesKey::None => None,
    };
    match found {
        Some(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    }
}

/// Identity of a resources dictionary: an indirect object, or the direct dictionary held by
/// one page tree node, or none at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ResourcesKey {
    Indirect(ObjectId),
    Inline(ObjectId),
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_is_normalised() {
        assert_eq!(normalise_rotation(90.0), 90);
        assert_eq!(normalise_rotation(-90.0), 270);
        assert_eq!(normalise_rotation(450.0), 90);
        assert_eq!(normalise_rotation(720.0), 0);
        assert_eq!(normalise_rotation(45.0), 0);
        assert_eq!(normalise_rotation(f64::NAN), 0);
    }

    fn apply(m: [f64; 6], u: f64, v: f64) -> (f64, f64) {
        (m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5])
    }

    #[test]
    fn reader_corners_map_to_visible_corners() {
        let visible = Rect {
            x0: 10.0,
            y0: 20.0,
            x1: 110.0,
            y1: 220.0,
        };
        for rotate in [0u16, 90, 180, 270] {
            let g = PageGeometry { visible, rotate };
            let (w, h) = g.reader_size();
            let m = g.reader_to_user();
            for (u, v) in [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)] {
                let (x, y) = apply(m, u, v);
                assert!(
                    (x - 10.0).abs() < 1e-9 || (x - 110.0).abs() < 1e-9,
                    "{rotate}: {x}"
                );
                assert!(
                    (y - 20.0).abs() < 1e-9 || (y - 220.0).abs() < 1e-9,
                    "{rotate}: {y}"
                );
            }
        }
        // Rotate 90: the reader's bottom-left is the user space's bottom-right.
        let g = PageGeometry {
            visible,
            rotate: 90,
        };
        assert_eq!(apply(g.reader_to_user(), 0.0, 0.0), (110.0, 20.0));
    }
}
