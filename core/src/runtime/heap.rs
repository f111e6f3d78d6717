//! The host-managed app heap behind `wasm_runtime_module_malloc` when the
//! module does not export its own malloc/free: a region of linear memory
//! (`heap_size` bytes appended by growing memory at instantiation, or at the first
//! module_malloc if that failed; never grown later) managed by a first-fit
//! allocator whose bookkeeping lives on the host side, so the guest cannot
//! corrupt it. Offsets, not pointers: linear memory may move when it grows.

use std::collections::BTreeMap;

const ALIGN: u64 = 8;

pub struct AppHeap {
    /// Free ranges: start offset -> length.
    free: BTreeMap<u64, u64>,
    /// Live blocks: start offset -> length.
    used: BTreeMap<u64, u64>,
}

impl AppHeap {
    pub fn new(start: u64, len: u64) -> AppHeap {
        let s = (start + ALIGN - 1) & !(ALIGN - 1);
        let mut free = BTreeMap::new();
        if len > s - start {
            free.insert(s, (len - (s - start)) & !(ALIGN - 1));
        }
        AppHeap { free, used: BTreeMap::new() }
    }

    pub fn alloc(&mut self, size: u64) -> Option<u64> {
        let size = size.max(1).checked_add(ALIGN - 1)? & !(ALIGN - 1);
        let (&start, &len) = self.free.iter().find(|(_, &l)| l >= size)?;
        self.free.remove(&start);
        if len > size {
            self.free.insert(start + size, len - size);
        }
        self.used.insert(start, size);
        Some(start)
    }

    /// The size of the live block at `offset` (rounded up to the alignment).
    pub fn size_of(&self, offset: u64) -> Option<u64> {
        self.used.get(&offset).copied()
    }

    /// Free a block; false when `offset` is not a live block.
    pub fn free(&mut self, offset: u64) -> bool {
        let Some(len) = self.used.remove(&offset) else { return false };
        let (mut start, mut len) = (offset, len);
        // Merge with the following free range.
        if let Some(next) = self.free.remove(&(start + len)) {
            len += next;
        }
        // Merge with the preceding free range.
        if let Some((&ps, &pl)) = self.free.range(..start).next_back() {
            if ps + pl == start {
                self.free.remove(&ps);
                start = ps;
                len += pl;
            }
        }
        self.free.insert(start, len);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::AppHeap;

    #[test]
    fn first_fit_and_coalescing() {
        let mut h = AppHeap::new(65536, 64);
        let a = h.alloc(10).unwrap();
        let b = h.alloc(20).unwrap();
        assert_eq!(a, 65536);
        assert_eq!(b, 65536 + 16);
        assert!(h.alloc(64).is_none());
        assert!(h.free(a));
        assert!(!h.free(a));
        assert!(h.free(b));
        assert_eq!(h.alloc(64), Some(65536));
    }
}
