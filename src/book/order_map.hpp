// Open-addressing hash map from a key (an order id; for option books an (order id, instrument) pair) to a
// slot index in the book's order pool. Linear probing with
// backward-shift deletion (no tombstones), power-of-two capacity kept at most half full, so a lookup
// touches one or two cache lines. Growth doubles the table; with the capacity reserved up front the hot
// path never allocates.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace spymaster::book {

inline uint64_t SlotHash(uint64_t key) { return key * 0x9E3779B97F4A7C15ull; }

template <class Key>
class SlotMap {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  explicit SlotMap(std::size_t expected_orders = 1 << 16) { Rehash(std::bit_ceil(expected_orders * 2 + 2)); }

  uint32_t Find(const Key& key) const { return SlotAt(Probe(key)); }

  // Where a lookup of `key` ends: the entry holding it, or the empty entry an insert of it fills. Valid
  // until the map next changes; lets a lookup that finds nothing be followed by an insert without a
  // second probe (InsertAt).
  std::size_t Probe(const Key& key) const {
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone || e.key == key) return i;
    }
  }
  uint32_t SlotAt(std::size_t position) const { return entries_[position].slot; }

  // The key must not be present.
  void Insert(const Key& key, uint32_t slot) {
    if ((size_ + 1) * 2 > entries_.size()) Rehash(entries_.size() * 2);
    std::size_t i = Home(key);
    while (entries_[i].slot != kNone) i = (i + 1) & mask_;
    entries_[i] = Entry{key, slot};
    ++size_;
  }

  // Insert at `position`, which Probe(key) returned (key absent) with no change to the map since.
  void InsertAt(std::size_t position, const Key& key, uint32_t slot) {
    if ((size_ + 1) * 2 > entries_.size()) {
      Insert(key, slot);  // grows: positions move
      return;
    }
    entries_[position] = Entry{key, slot};
    ++size_;
  }

  // Returns false when the key is absent.
  bool Erase(const Key& key) {
    std::size_t i = Home(key);
    for (;; i = (i + 1) & mask_) {
      if (entries_[i].slot == kNone) return false;
      if (entries_[i].key == key) break;
    }
    // Backward shift: pull later entries of the probe run into the hole when that keeps them reachable.
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (entries_[j].slot == kNone) break;
      const std::size_t home = Home(entries_[j].key);
      const bool movable = ((j - home) & mask_) >= ((j - i) & mask_);
      if (movable) {
        entries_[i] = entries_[j];
        i = j;
      }
    }
    entries_[i].slot = kNone;
    --size_;
    return true;
  }

  void Clear() {
    for (Entry& e : entries_) e.slot = kNone;
    size_ = 0;
  }

  std::size_t size() const { return size_; }

  // Starts loading the line where a lookup of `key` begins (a caller that knows its next keys hides the miss).
  void Prefetch(const Key& key) const { __builtin_prefetch(&entries_[Home(key)]); }

 private:
  struct Entry {
    Key key;
    uint32_t slot;
  };

  std::size_t Home(const Key& key) const { return static_cast<std::size_t>(SlotHash(key) >> shift_) & mask_; }

  void Rehash(std::size_t capacity) {
    std::vector<Entry> old;
    old.swap(entries_);
    entries_.assign(capacity, Entry{Key{}, kNone});
    mask_ = capacity - 1;
    shift_ = 64 - std::countr_zero(capacity);
    size_ = 0;
    for (const Entry& e : old) {
      if (e.slot != kNone) Insert(e.key, e.slot);
    }
  }

  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  int shift_ = 0;
  std::size_t size_ = 0;
};

using OrderMap = SlotMap<uint64_t>;

}  // namespace spymaster::book
