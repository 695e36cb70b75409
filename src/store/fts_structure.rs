//! The shape of an FTS5 index, read from its structure record (row 10 of its `_data`
//! table): how many segments each level holds and how many of them are inputs to a merge
//! in progress. One small row, where counting segments from the `_idx` table reads one
//! row per index page; and only it tells whether a merge is under way, which decides
//! how the next one must go on (`search_upkeep`).
//!
//! The record (SQLite's ext/fts5/fts5_index.c, `fts5StructureDecode`): a 4-byte cookie,
//! then as varints the number of levels, of segments and of writes; then for each level
//! the number of segments in its merge and in all, and for each segment its id and first
//! and last leaf page. Tables made with `contentless_delete` or `secure-delete` mark their
//! record with 0xff000001 and add fields per segment; ours has neither, and such a record
//! reads as unknown.

/// The row of the structure record in an FTS5 `_data` table.
pub const STRUCTURE_ROWID: i64 = 10;

/// One level: its segments, and how many of them a merge in progress is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub merging: u64,
    pub segments: u64,
}

/// The levels of an index, lowest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure {
    pub levels: Vec<Level>,
}

impl Structure {
    /// Decodes a structure record; None when it is not one this module reads.
    pub fn decode(record: &[u8]) -> Option<Self> {
        let mut at = Reader {
            bytes: record.get(4..)?,
            at: 0,
        };
        if at.bytes.starts_with(&[0xff, 0x00, 0x00, 0x01]) {
            return None;
        }
        let levels = at.varint()?;
        let _segments = at.varint()?;
        let _writes = at.varint()?;
        let mut read = Vec::new();
        for _ in 0..levels {
            let merging = at.varint()?;
            let segments = at.varint()?;
            for _ in 0..segments {
                at.varint()?;
                at.varint()?;
                at.varint()?;
            }
            read.push(Level { merging, segments });
        }
        Some(Self { levels: read })
    }

    /// Segments in all, each one a search looks its terms up in.
    pub fn segments(&self) -> u64 {
        self.levels.iter().map(|l| l.segments).sum()
    }

    /// Whether a merge was started and not finished.
    pub fn merging(&self) -> bool {
        self.levels.iter().any(|l| l.merging > 0)
    }

    /// Whether some level holds `at_least` segments (FTS5's 'merge' with a positive
    /// number of pages merges such a level, `usermerge`, 4 unless set).
    pub fn crowded(&self, at_least: u64) -> bool {
        self.levels.iter().any(|l| l.segments >= at_least)
    }
}

/// Reads SQLite varints: seven bits a byte, high bit set while more follow; a ninth byte
/// gives all its eight bits.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for i in 0..9 {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            if i == 8 {
                return Some((value << 8) | u64::from(byte));
            }
            value = (value << 7) | u64::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{Level, Structure};

    /// A record: cookie, then the varints.
    fn record(varints: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, 0, 7];
        bytes.extend_from_slice(varints);
        bytes
    }

    #[test]
    fn reads_levels_segments_and_merges_in_progress() {
        // 3 levels, 3 segments, 300 writes (two bytes: 0x82 0x2c); level 0: none; level
        // 1: one segment (id 5, pages 1..2); level 2: a merge of 2 of its 2 segments
        // (ids 3 and 4, pages 1..200 as 0x81 0x48).
        let bytes = record(&[
            3, 3, 0x82, 0x2c, 0, 0, 0, 1, 5, 1, 2, 2, 2, 3, 1, 0x81, 0x48, 4, 1, 9,
        ]);
        let s = Structure::decode(&bytes).expect("structure");
        assert_eq!(
            s.levels,
            [
                Level {
                    merging: 0,
                    segments: 0
                },
                Level {
                    merging: 0,
                    segments: 1
                },
                Level {
                    merging: 2,
                    segments: 2
                },
            ]
        );
        assert_eq!(s.segments(), 3);
        assert!(s.merging());
        assert!(s.crowded(2) && !s.crowded(3));
    }

    #[test]
    fn a_cut_record_or_another_version_is_not_read() {
        assert_eq!(Structure::decode(&record(&[2, 1, 0, 0, 1, 5, 1])), None);
        assert_eq!(Structure::decode(&[0, 0]), None);
        let v2 = record(&[0xff, 0x00, 0x00, 0x01, 1, 0, 0, 0, 0, 0]);
        assert_eq!(Structure::decode(&v2), None);
    }
}
