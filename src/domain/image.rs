//! Avatar images, validated by their content (never by the file name or the browser's
//! claimed type): a whole PNG or JPEG of sensible size and dimensions.

/// The largest avatar we keep.
pub const MAX_AVATAR_BYTES: usize = 1024 * 1024;
/// The largest width or height we accept.
const MAX_SIDE: u32 = 4096;

/// A validated avatar: its real type and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Avatar {
    /// Checks the bytes are a complete PNG or JPEG within the limits.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, &'static str> {
        if bytes.len() > MAX_AVATAR_BYTES {
            return Err("The picture is larger than 1 MB.");
        }
        let (content_type, size) = if let Some(size) = png_size(&bytes) {
            ("image/png", size)
        } else if let Some(size) = jpeg_size(&bytes) {
            ("image/jpeg", size)
        } else {
            return Err("The picture must be a PNG or JPEG image.");
        };
        match size {
            (1..=MAX_SIDE, 1..=MAX_SIDE) => Ok(Self {
                content_type,
                bytes,
            }),
            _ => Err("The picture must be at most 4096 × 4096 pixels."),
        }
    }
}

/// Width and height from a PNG's IHDR chunk, when the file starts and ends like a PNG.
fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    const IEND: &[u8] = b"IEND\xaeB`\x82";
    if !b.starts_with(SIGNATURE) || b.get(12..16)? != b"IHDR" || !b.ends_with(IEND) {
        return None;
    }
    Some((be32(b.get(16..20)?), be32(b.get(20..24)?)))
}

/// Width and height from a JPEG's start-of-frame marker, walking the marker segments.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(&[0xFF, 0xD8, 0xFF]) || !b.ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        let length = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let height = u32::from(u16::from_be_bytes([b[i + 5], b[i + 6]]));
            let width = u32::from(u16::from_be_bytes([b[i + 7], b[i + 8]]));
            return Some((width, height));
        }
        i += 2 + length;
    }
    None
}

fn be32(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, byte| (n << 8) | u32::from(*byte))
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A 1×1 PNG (valid structure; the pixel data does not matter to us).
    pub fn tiny_png() -> Vec<u8> {
        let mut b =
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
                .to_vec();
        b.extend_from_slice(b"\0\0\0\x0dIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N");
        b.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
        b
    }

    /// A minimal JPEG-shaped byte string: SOI, an SOF0 of 2×3, EOI.
    pub fn tiny_jpeg() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        b.extend_from_slice(&[
            0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x03, 0x00, 0x02, 0x01, 0x01, 0x11, 0x00,
        ]);
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    #[test]
    fn png_and_jpeg_are_recognised_by_content() {
        assert_eq!(Avatar::parse(tiny_png()).unwrap().content_type, "image/png");
        assert_eq!(jpeg_size(&tiny_jpeg()), Some((2, 3)));
        assert_eq!(
            Avatar::parse(tiny_jpeg()).unwrap().content_type,
            "image/jpeg"
        );
    }

    #[test]
    fn other_content_is_refused_whatever_it_is_called() {
        assert!(Avatar::parse(b"<svg onload=alert(1)>".to_vec()).is_err());
        assert!(Avatar::parse(b"GIF89a\x01\0\x01\0".to_vec()).is_err());
        let mut truncated = tiny_png();
        truncated.truncate(30);
        assert!(Avatar::parse(truncated).is_err());
        assert!(Avatar::parse(vec![0; MAX_AVATAR_BYTES + 1]).is_err());
    }
}
