//! A typed map of per-instance (or per-module) state that the runtime keeps without naming its
//! types: each host interface stores its own state here (WASI its context, wasi-nn its graph
//! handles), so the runtime depends on none of them. One value per type; a handful of entries,
//! so a small vector searched by `TypeId` is the whole implementation.

use std::any::{Any, TypeId};

#[derive(Default)]
pub struct Slots {
    entries: Vec<(TypeId, Box<dyn Any>)>,
}

impl Slots {
    fn index<T: Any>(&self) -> Option<usize> {
        self.entries.iter().position(|(id, _)| *id == TypeId::of::<T>())
    }

    /// Store `value`, replacing any earlier value of its type.
    pub fn insert<T: Any>(&mut self, value: T) {
        self.put(Box::new(value));
    }

    pub fn contains<T: Any>(&self) -> bool {
        self.index::<T>().is_some()
    }

    pub fn get<T: Any>(&self) -> Option<&T> {
        self.entries[self.index::<T>()?].1.downcast_ref()
    }

    pub fn get_mut<T: Any>(&mut self) -> Option<&mut T> {
        let i = self.index::<T>()?;
        self.entries[i].1.downcast_mut()
    }

    /// Remove the value of type `T` (boxed, so lending it out and [`Slots::put`]ting it back
    /// moves a pointer, not the state).
    pub fn take<T: Any>(&mut self) -> Option<Box<T>> {
        let i = self.index::<T>()?;
        self.entries.swap_remove(i).1.downcast().ok()
    }

    /// Store a boxed value (what [`Slots::take`] returned), replacing any earlier one.
    pub fn put<T: Any>(&mut self, value: Box<T>) {
        match self.index::<T>() {
            Some(i) => self.entries[i].1 = value,
            None => self.entries.push((TypeId::of::<T>(), value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Slots;

    #[test]
    fn one_value_per_type() {
        let mut s = Slots::default();
        s.insert(1u32);
        s.insert("a");
        s.insert(2u32);
        assert_eq!(s.get::<u32>(), Some(&2));
        let b = s.take::<u32>().unwrap();
        assert!(!s.contains::<u32>() && s.contains::<&str>());
        s.put(b);
        *s.get_mut::<u32>().unwrap() += 1;
        assert_eq!(s.get::<u32>(), Some(&3));
        assert!(s.get::<u64>().is_none());
    }
}
