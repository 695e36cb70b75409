//! Avatar images, validated by their content (never by the file name or the browser's
//! claimed type) and re-encoded: the picture is decoded within limits, turned upright,
//! shrunk to at most 512 pixels a side, and written afresh, so the stored bytes are never
//! the uploaded ones and whatever rode along (EXIF with GPS positions, comments, ICC
//! profiles, trailing data, a polyglot's second payload) is gone.
//!
//! A PNG stays a PNG (lossless, keeps transparency); a JPEG stays a JPEG at quality 85
//! (photos as PNG would be several times larger). Decoding is CPU work: callers run
//! [`Avatar::parse`] off the async executor (`services::avatars`).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The largest upload we look at.
pub const MAX_AVATAR_BYTES: usize = 1024 * 1024;
/// The largest width or height we decode.
const MAX_SIDE: u32 = 4096;
/// The most memory a decoder may take: a 4096 × 4096 picture at 8 bits per RGBA channel.
const MAX_ALLOC: u64 = 4096 * 4096 * 4;
/// Stored avatars are at most this many pixels a side (larger ones are shrunk).
pub const STORED_SIDE: u32 = 512;
const JPEG_QUALITY: u8 = 85;

const TOO_LARGE: &str = "The picture is larger than 1 MB.";
const NOT_AN_IMAGE: &str = "The picture must be a PNG or JPEG image.";
const TOO_MANY_PIXELS: &str = "The picture must be at most 4096 × 4096 pixels.";
const UNREADABLE: &str = "The picture could not be read: save it again as PNG or JPEG.";

/// A validated, re-encoded avatar: its type and its new bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Avatar {
    /// Decodes a PNG or JPEG within the limits and re-encodes it; the error is a sentence
    /// to show beside the field.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, &'static str> {
        if bytes.len() > MAX_AVATAR_BYTES {
            return Err(TOO_LARGE);
        }
        let format = format_of(&bytes).ok_or(NOT_AN_IMAGE)?;
        let picture = shrunk(decode(&bytes, format)?);
        let bytes = encode(&picture, format).ok_or(UNREADABLE)?;
        let content_type = match format {
            ImageFormat::Png => "image/png",
            _ => "image/jpeg",
        };
        Ok(Self {
            content_type,
            bytes,
        })
    }
}

/// PNG or JPEG by the first bytes; nothing else is even handed to a decoder.
fn format_of(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else {
        None
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// The pixels, upright (the EXIF orientation applied before EXIF is dropped).
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, &'static str> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(TOO_MANY_PIXELS);
    }
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(TOO_MANY_PIXELS);
    }
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    Ok(picture)
}

fn refusal(error: image::ImageError) -> &'static str {
    match error {
        image::ImageError::Limits(_) => TOO_MANY_PIXELS,
        _ => UNREADABLE,
    }
}

/// At most [`STORED_SIDE`] pixels a side, the proportions kept.
fn shrunk(picture: DynamicImage) -> DynamicImage {
    if picture.width() > STORED_SIDE || picture.height() > STORED_SIDE {
        picture.thumbnail(STORED_SIDE, STORED_SIDE)
    } else {
        picture
    }
}

/// Fresh bytes: PNG for PNG, JPEG (RGB, no metadata segments) for JPEG.
fn encode(picture: &DynamicImage, format: ImageFormat) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        ImageFormat::Png => picture
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .ok()?,
        _ => JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&DynamicImage::ImageRgb8(picture.to_rgb8()))
            .ok()?,
    }
    Some(out)
}

#[cfg(test)]
pub mod tests {
    use image::{Rgb, RgbImage, Rgba, RgbaImage};
    use proptest::prelude::*;

    use super::*;

    /// A `width` × `height` picture with some colour in it.
    fn picture(width: u32, height: u32, seed: u8) -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
            let v = (x * 7 + y * 13) as u8 ^ seed;
            Rgba([v, v.wrapping_mul(3), seed, 255 - (v / 2)])
        }))
    }

    fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
        let mut out = Vec::new();
        picture(width, height, seed)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let rgb = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x * 9) as u8, (y * 5) as u8, seed])
        });
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&rgb)
            .unwrap();
        out
    }

    /// A JPEG with an APP1 Exif segment (orientation and a GPS tag's worth of bytes) right
    /// after the start-of-image marker.
    pub fn jpeg_with_exif(width: u32, height: u32, seed: u8) -> Vec<u8> {
        let plain = jpeg(width, height, seed);
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x88\x25\0\x04\0\0\0\x01\0\0\0\0".to_vec();
        exif.extend_from_slice(b"\0\0\0\0GPS 51.5007N 0.1246W secret-home");
        let length = u16::try_from(exif.len() + 2).unwrap().to_be_bytes();
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
        out.extend_from_slice(&exif);
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// A PNG with an eXIf chunk and a tEXt comment before the image data.
    fn png_with_metadata(width: u32, height: u32, seed: u8) -> Vec<u8> {
        let plain = png(width, height, seed);
        let ihdr_end = 8 + 4 + 4 + 13 + 4;
        let mut out = plain[..ihdr_end].to_vec();
        out.extend(chunk(b"eXIf", b"MM\0\x2a\0\0\0\x08\0\0GPS 51.5007N"));
        out.extend(chunk(b"tEXt", b"Comment\0Exif GPS secret-home"));
        out.extend_from_slice(&plain[ihdr_end..]);
        out
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(kind.iter().chain(data));
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }

    fn crc32<'a>(bytes: impl Iterator<Item = &'a u8>) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn decoded(avatar: &Avatar) -> DynamicImage {
        image::load_from_memory(&avatar.bytes).unwrap()
    }

    #[test]
    fn png_and_jpeg_are_recognised_by_content_and_keep_their_type() {
        let avatar = Avatar::parse(png(3, 2, 1)).unwrap();
        assert_eq!(avatar.content_type, "image/png");
        assert_eq!(
            image::guess_format(&avatar.bytes).unwrap(),
            ImageFormat::Png
        );
        let avatar = Avatar::parse(jpeg(2, 3, 1)).unwrap();
        assert_eq!(avatar.content_type, "image/jpeg");
        assert_eq!(
            image::guess_format(&avatar.bytes).unwrap(),
            ImageFormat::Jpeg
        );
        assert_eq!(
            (decoded(&avatar).width(), decoded(&avatar).height()),
            (2, 3)
        );
    }

    #[test]
    fn metadata_is_dropped() {
        let upload = jpeg_with_exif(8, 8, 3);
        assert!(contains(&upload, b"Exif") && contains(&upload, b"GPS"));
        let avatar = Avatar::parse(upload.clone()).unwrap();
        assert_ne!(avatar.bytes, upload);
        assert!(!contains(&avatar.bytes, b"Exif") && !contains(&avatar.bytes, b"GPS"));
        let upload = png_with_metadata(4, 4, 3);
        assert!(
            image::load_from_memory(&upload).is_ok(),
            "a valid PNG to start with"
        );
        let avatar = Avatar::parse(upload).unwrap();
        assert!(!contains(&avatar.bytes, b"eXIf") && !contains(&avatar.bytes, b"GPS"));
        assert!(!contains(&avatar.bytes, b"tEXt"));
    }

    #[test]
    fn large_pictures_are_shrunk_to_512_a_side() {
        let mut upload = Vec::new();
        DynamicImage::ImageRgb8(RgbImage::from_fn(1200, 600, |x, _| {
            Rgb([(x / 5) as u8, 0, 9])
        }))
        .write_to(&mut Cursor::new(&mut upload), ImageFormat::Png)
        .unwrap();
        let avatar = Avatar::parse(upload).unwrap();
        let stored = decoded(&avatar);
        assert_eq!((stored.width(), stored.height()), (512, 256));
    }

    #[test]
    fn other_content_is_refused_whatever_it_is_called() {
        assert_eq!(
            Avatar::parse(b"<svg onload=alert(1)>".to_vec()),
            Err(NOT_AN_IMAGE)
        );
        assert_eq!(
            Avatar::parse(b"GIF89a\x01\0\x01\0".to_vec()),
            Err(NOT_AN_IMAGE)
        );
        let mut truncated = png(4, 4, 0);
        truncated.truncate(30);
        assert_eq!(Avatar::parse(truncated), Err(UNREADABLE));
        assert_eq!(Avatar::parse(vec![0; MAX_AVATAR_BYTES + 1]), Err(TOO_LARGE));
    }

    #[test]
    fn oversized_dimensions_are_refused_before_decoding() {
        // A PNG header claiming 5000 × 5000 pixels (a decompression bomb's opening).
        let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = 5000u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&5000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        bomb.extend(chunk(b"IHDR", &ihdr));
        bomb.extend(chunk(b"IEND", b""));
        assert_eq!(Avatar::parse(bomb), Err(TOO_MANY_PIXELS));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Avatar::parse(bytes);
        }

        #[test]
        fn damaged_pictures_never_panic_and_what_is_accepted_decodes(
            is_png in any::<bool>(),
            cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        ) {
            let mut bytes = if is_png { png(6, 5, 9) } else { jpeg(6, 5, 9) };
            for (at, value) in cuts {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            if let Ok(avatar) = Avatar::parse(bytes) {
                prop_assert!(image::load_from_memory(&avatar.bytes).is_ok());
            }
        }

        #[test]
        fn accepted_pictures_are_fresh_bytes_without_metadata(
            width in 1u32..24,
            height in 1u32..24,
            seed in any::<u8>(),
            is_png in any::<bool>(),
        ) {
            let upload = if is_png {
                png_with_metadata(width, height, seed)
            } else {
                jpeg_with_exif(width, height, seed)
            };
            let avatar = Avatar::parse(upload.clone()).unwrap();
            prop_assert_ne!(&avatar.bytes, &upload);
            prop_assert!(!contains(&avatar.bytes, b"Exif") && !contains(&avatar.bytes, b"eXIf"));
            // (No check for "GPS": three bytes turn up by chance in compressed data.)
            let stored = decoded(&avatar);
            prop_assert_eq!((stored.width(), stored.height()), (width, height));
        }
    }
}
