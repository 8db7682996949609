//! The sharded directory store's read cache: every JWT appended to one file, whose offset the
//! lean index keeps. A GET then reads from one open file instead of opening one of a million
//! (no path walk, no inode per account), and the page cache holds the JWTs' bytes instead of a
//! 4 KiB page per file. The files stay the store: the pack is made again at every start, and it
//! is unlinked as soon as it is opened, so nothing of it outlives the process.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Mutex;

/// Bytes the pack grows to at most: a million accounts take about 1 GiB, and every write adds
/// its JWT (the one it replaces stays until a restart). Beyond it, new JWTs are read from their
/// files.
const MAX_PACK: u64 = 4 << 30;

/// Where one JWT is in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed {
    at: u64,
    len: u32,
}

/// A read that would wait on the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WouldWait;

pub(crate) struct Pack {
    file: File,
    /// Where the next JWT goes.
    end: Mutex<u64>,
}

impl Pack {
    /// A new, empty pack beside the store's folders; `None` (and a warning) when the folder
    /// takes no file: the store then reads every JWT from its file.
    pub fn create(root: &Path) -> Option<Pack> {
        let path = root.join(format!(".nats-console-pack-{}", std::process::id()));
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|file| std::fs::remove_file(&path).map(|()| file));
        match opened {
            Ok(file) => Some(Pack {
                file,
                end: Mutex::new(0),
            }),
            Err(e) => {
                tracing::warn!(
                    "no read cache for {} ({e}): GETs read each account's file",
                    root.display()
                );
                None
            }
        }
    }

    /// Appends a JWT; where it is, or `None` when the pack is full or the write failed.
    pub fn append(&self, jwt: &str) -> Option<Packed> {
        let len = u32::try_from(jwt.len()).ok()?;
        let mut end = self.end.lock().unwrap_or_else(|e| e.into_inner());
        if *end + u64::from(len) > MAX_PACK {
            return None;
        }
        self.file.write_all_at(jwt.as_bytes(), *end).ok()?;
        let packed = Packed { at: *end, len };
        *end += u64::from(len);
        Some(packed)
    }

    /// The JWT at `packed`.
    pub fn read(&self, packed: Packed) -> Option<String> {
        let mut bytes = vec![0; packed.len as usize];
        self.file.read_exact_at(&mut bytes, packed.at).ok()?;
        String::from_utf8(bytes).ok()
    }

    /// The JWT at `packed` if the page cache holds it; `Err(WouldWait)` when reading it would
    /// wait on the disk (the kernel evicted it): an async caller then reads it on a blocking
    /// thread instead of stalling every request its worker serves.
    pub fn read_cached(&self, packed: Packed) -> Result<Option<String>, WouldWait> {
        use std::os::fd::AsRawFd;
        let mut bytes = vec![0u8; packed.len as usize];
        let vector = libc::iovec {
            iov_base: bytes.as_mut_ptr().cast(),
            iov_len: bytes.len(),
        };
        // SAFETY: one iovec over `bytes`, which outlives the call; the fd is the pack's own
        let read = unsafe {
            libc::preadv2(
                self.file.as_raw_fd(),
                &vector,
                1,
                packed.at as libc::off_t,
                libc::RWF_NOWAIT,
            )
        };
        match read {
            n if n == bytes.len() as isize => Ok(String::from_utf8(bytes).ok()),
            // EAGAIN: not (all) in the page cache; a short read: the rest is not; older kernels
            // or file systems without RWF_NOWAIT: EOPNOTSUPP
            _ => Err(WouldWait),
        }
    }

    /// Bytes appended so far.
    pub fn len(&self) -> u64 {
        *self.end.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_gives_back_what_was_appended_and_leaves_no_file() {
        let dir = std::env::temp_dir().join(format!("nats-console-pack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let pack = Pack::create(&dir).unwrap();
        let first = pack.append("eyJ0eXAi.one.sig").unwrap();
        let second = pack.append("eyJ0eXAi.two.sig").unwrap();
        assert_eq!(pack.read(second).as_deref(), Some("eyJ0eXAi.two.sig"));
        // just written: in the page cache, read without waiting
        assert_eq!(
            pack.read_cached(first),
            Ok(Some("eyJ0eXAi.one.sig".to_string()))
        );
        assert_eq!(pack.read(first).as_deref(), Some("eyJ0eXAi.one.sig"));
        assert_eq!(pack.len(), 32);
        // unlinked at once: the store folder holds its accounts only
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
