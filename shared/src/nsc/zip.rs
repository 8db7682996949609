//! Just enough of the zip format for nsc folders: reading a zip's entries from its central
//! directory (stored or deflated; the caller inflates, in a browser with its own
//! `DecompressionStream`), and writing one with stored entries. No zip64, no encryption: an
//! nsc environment is small, and such archives are refused with the reason.

use std::fmt;

/// Entries read at most (a zip may claim any count).
pub const MAX_ENTRIES: usize = super::MAX_FILES;

const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const LOCAL_HEADER: u32 = 0x0403_4b50;
const END_LEN: usize = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;

/// How an entry's bytes are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflated,
}

/// One file of a zip, its data still compressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub name: String,
    pub method: Method,
    pub data: &'a [u8],
    pub crc32: u32,
    pub size: usize,
}

impl Entry<'_> {
    /// Checks inflated (or stored) `bytes` against the entry's size and CRC-32.
    pub fn check(&self, bytes: &[u8]) -> Result<(), ZipError> {
        if bytes.len() != self.size || crc32(bytes) != self.crc32 {
            return Err(ZipError(format!(
                "{}: its contents do not match the zip's checksum",
                self.name
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipError(pub String);

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a zip nsc can be read from: {}", self.0)
    }
}

impl std::error::Error for ZipError {}

fn bad(why: &str) -> ZipError {
    ZipError(why.to_string())
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The files of the zip `bytes` (directories left out), from its central directory.
pub fn entries(bytes: &[u8]) -> Result<Vec<Entry<'_>>, ZipError> {
    let truncated = || bad("it is cut short");
    // the end record sits in the last 22 bytes plus a comment of at most 65 535
    let lowest = bytes.len().saturating_sub(END_LEN + u16::MAX as usize);
    let end = (lowest..=bytes.len().saturating_sub(END_LEN))
        .rev()
        .find(|&at| u32_at(bytes, at) == Some(END_OF_CENTRAL_DIRECTORY))
        .ok_or_else(|| bad("no end of central directory (not a zip file)"))?;
    let count = u16_at(bytes, end + 10).ok_or_else(truncated)? as usize;
    let directory = u32_at(bytes, end + 16).ok_or_else(truncated)?;
    if count == 0xffff || directory == 0xffff_ffff {
        return Err(bad("zip64 archives are not read (an nsc folder is small)"));
    }
    if count > MAX_ENTRIES {
        return Err(bad(&format!("more than {MAX_ENTRIES} entries")));
    }
    let mut at = directory as usize;
    let mut found = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(bytes, at) != Some(CENTRAL_HEADER) {
            return Err(bad("a damaged central directory"));
        }
        let field16 = |off| u16_at(bytes, at + off).ok_or_else(truncated);
        let field32 = |off| u32_at(bytes, at + off).ok_or_else(truncated);
        let (flags, method) = (field16(8)?, field16(10)?);
        let (crc32, compressed, size) = (field32(16)?, field32(20)?, field32(24)?);
        let (name_len, extra_len, comment_len) = (
            field16(28)? as usize,
            field16(30)? as usize,
            field16(32)? as usize,
        );
        let local = field32(42)? as usize;
        let name_bytes = bytes
            .get(at + CENTRAL_LEN..at + CENTRAL_LEN + name_len)
            .ok_or_else(truncated)?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        at += CENTRAL_LEN + name_len + extra_len + comment_len;
        if name.ends_with('/') {
            continue;
        }
        if flags & 1 != 0 {
            return Err(ZipError(format!("{name} is encrypted")));
        }
        let method = match method {
            0 => Method::Stored,
            8 => Method::Deflated,
            other => {
                return Err(ZipError(format!(
                    "{name} is compressed with method {other} (only stored and deflate are read)"
                )))
            }
        };
        if [compressed, size, local as u32].contains(&0xffff_ffff) {
            return Err(bad("zip64 archives are not read (an nsc folder is small)"));
        }
        if u32_at(bytes, local) != Some(LOCAL_HEADER) {
            return Err(ZipError(format!("{name}: a damaged local header")));
        }
        let local_name = u16_at(bytes, local + 26).ok_or_else(truncated)? as usize;
        let local_extra = u16_at(bytes, local + 28).ok_or_else(truncated)? as usize;
        let start = local + LOCAL_LEN + local_name + local_extra;
        let data = start
            .checked_add(compressed as usize)
            .and_then(|end| bytes.get(start..end))
            .ok_or_else(truncated)?;
        if method == Method::Stored && compressed != size {
            return Err(ZipError(format!("{name}: stored with two different sizes")));
        }
        found.push(Entry {
            name,
            method,
            data,
            crc32,
            size: size as usize,
        });
    }
    Ok(found)
}

/// A zip of `files` (path, contents), stored uncompressed: what a browser offers as a download.
pub fn write_stored<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    let mut count = 0u16;
    for (name, data) in files {
        let (crc, offset) = (crc32(data), out.len() as u32);
        let header = |signature: u32, central: bool| {
            let mut h = Vec::with_capacity(CENTRAL_LEN + name.len());
            h.extend_from_slice(&signature.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed: 2.0
            h.extend_from_slice(&0x0800u16.to_le_bytes()); // names in UTF-8
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&0u16.to_le_bytes()); // time 00:00
            h.extend_from_slice(&0x0021u16.to_le_bytes()); // date 1980-01-01
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
                h.extend_from_slice(&0o100600u32.wrapping_shl(16).to_le_bytes()); // -rw-------
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(LOCAL_HEADER, false));
        out.extend_from_slice(data);
        directory.extend(header(CENTRAL_HEADER, true));
        count += 1;
    }
    let directory_at = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&END_OF_CENTRAL_DIRECTORY.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE), as zip records it.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_zips() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn a_written_zip_reads_back() {
        let files = [
            ("ACME/ACME.jwt", &b"eyJ..."[..]),
            ("keys/O/AB/OAB.nk", b"SO..."),
        ];
        let zip = write_stored(files);
        let read = entries(&zip).unwrap();
        assert_eq!(read.len(), 2);
        for (entry, (name, data)) in read.iter().zip(files) {
            assert_eq!(
                (entry.name.as_str(), entry.data, entry.method),
                (name, data, Method::Stored)
            );
            entry.check(data).unwrap();
        }
        assert!(read[0].check(b"changed").is_err());
    }

    #[test]
    fn damaged_zips_are_refused_with_the_reason() {
        let zip = write_stored([("a.jwt", &b"abc"[..])]);
        assert!(entries(b"PK not really")
            .unwrap_err()
            .0
            .contains("no end of central directory"));
        // every cut is refused, none panics
        for cut in 0..zip.len() {
            assert!(entries(&zip[..cut]).is_err(), "cut at {cut}");
        }
        let mut encrypted = zip.clone();
        let central = zip.len() - END_LEN - (CENTRAL_LEN + 5);
        encrypted[central + 8] = 1;
        assert!(entries(&encrypted).unwrap_err().0.contains("encrypted"));
        let mut bzip = zip.clone();
        bzip[central + 10] = 12;
        assert!(entries(&bzip).unwrap_err().0.contains("method 12"));
    }
}
