//! Looking up one path in many trees, cheaply: memoized by tree id, and read
//! in whichever order the pack's delta chains favour.

use super::*;

/// Resolves one fixed path in many trees, memoizing the answer for every (depth, tree id) seen,
/// so that a subtree shared with a previously looked-up tree is never read again.
pub(super) struct PathLookup {
    pub(super) comps: Vec<BString>,
    pub(super) memo: Vec<gix::hashtable::HashMap<ObjectId, Option<(EntryMode, ObjectId)>>>,
    pub(super) chain: Vec<ObjectId>,
    pub(super) buf: Vec<u8>,
    /// How many first-parent ancestors the next [`Self::prefetch`] resolves.
    pub(super) lookahead: usize,
    pub(super) ahead: Vec<ObjectId>,
    /// Trees read so far.
    pub(super) reads: u64,
    pub(super) order: ReadOrder,
}

/// Picks the order in which to read a stretch of history: newest-first or oldest-first.
///
/// gix's pack cache keeps only fully decoded objects, not the delta bases met on the way. If
/// trees are stored as deltas against their *newer* versions (the usual `git gc` layout),
/// reading history newest-first finds each base in the cache; if they are deltas against *older*
/// versions (fast-import, packs pushed without a later repack), only oldest-first reading does,
/// and the other order inflates most of every delta chain again, several times slower. So both
/// orders are tried, and the one that followed fewer delta links per tree read wins; the other
/// one is re-tried at exponentially growing intervals in case the pack layout changes further
/// back in history.
pub(super) struct ReadOrder {
    pub(super) chain_steps: Arc<AtomicU64>,
    pub(super) rounds: u32,
    /// (trees read, delta-chain steps) when reading oldest-first [0] and newest-first [1].
    pub(super) stats: [(u64, u64); 2],
    /// Chain-step counter when the current round began.
    pub(super) started_at: u64,
}

impl ReadOrder {
    pub(super) fn new(chain_steps: Arc<AtomicU64>) -> Self {
        ReadOrder { chain_steps, rounds: 0, stats: [(0, 0); 2], started_at: 0 }
    }

    /// Starts a round; true for oldest-first.
    pub(super) fn begin(&mut self) -> bool {
        self.rounds += 1;
        self.started_at = self.chain_steps.load(AtomicOrdering::Relaxed);
        let [(old_reads, old_steps), (new_reads, new_steps)] = self.stats;
        let oldest_is_better = match (old_reads, new_reads) {
            (0, _) => return true,
            (_, 0) => return false,
            // Compare steps per read without dividing.
            _ => old_steps * new_reads <= new_steps * old_reads,
        };
        // Re-try the loser now and then (rounds 8, 16, 32, ...): a wrong guess costs a lot.
        let probe = self.rounds >= 8 && self.rounds.is_power_of_two();
        oldest_is_better != probe
    }

    /// Ends the round begun with [`Self::begin`], which read `reads` trees.
    pub(super) fn end(&mut self, oldest_first: bool, reads: u64) {
        let steps = self.chain_steps.load(AtomicOrdering::Relaxed).saturating_sub(self.started_at);
        let stats = &mut self.stats[usize::from(!oldest_first)];
        stats.0 += reads;
        stats.1 += steps;
    }
}

/// A pack (delta base) cache that also counts how many delta-chain links are followed, which
/// is what makes an object read cheap or expensive (see [`ReadOrder`]).
pub(super) struct CountingPackCache {
    pub(super) inner: gix::odb::pack::cache::lru::MemoryCappedHashmap,
    pub(super) chain_steps: Arc<AtomicU64>,
}

impl gix::odb::pack::cache::DecodeEntry for CountingPackCache {
    fn put(&mut self, pack_id: u32, offset: u64, data: &[u8], kind: gix::objs::Kind, compressed_size: usize) {
        self.inner.put(pack_id, offset, data, kind, compressed_size);
    }

    fn get(&mut self, pack_id: u32, offset: u64, out: &mut Vec<u8>) -> Option<(gix::objs::Kind, usize)> {
        // Called once per delta in a chain until a cached base is found.
        self.chain_steps.fetch_add(1, AtomicOrdering::Relaxed);
        self.inner.get(pack_id, offset, out)
    }
}

pub(super) const FIRST_LOOKAHEAD: usize = 8;
pub(super) const MAX_LOOKAHEAD: usize = 256;

impl PathLookup {
    pub(super) fn new(comps: Vec<BString>, chain_steps: Arc<AtomicU64>) -> Self {
        let memo = (0..comps.len()).map(|_| Default::default()).collect();
        PathLookup {
            comps,
            memo,
            chain: Vec::new(),
            buf: Vec::new(),
            lookahead: FIRST_LOOKAHEAD,
            ahead: Vec::new(),
            reads: 0,
            order: ReadOrder::new(chain_steps),
        }
    }

    /// Resolves the path for commit `start` and a stretch of its first-parent ancestors (in
    /// whichever order has been cheaper so far), unless `start` is already known.
    /// See [`ReadOrder`] for why.
    pub(super) fn prefetch(
        &mut self,
        odb: &gix::OdbHandle,
        walk: &mut Walk<'_>,
        start: usize,
    ) -> Result<(), GitError> {
        if self.comps.is_empty() || self.memo[0].contains_key(&walk.nodes[start].tree) {
            return Ok(());
        }
        let mut ahead = std::mem::take(&mut self.ahead);
        ahead.clear();
        let mut idx = start;
        loop {
            let node = walk.nodes[idx];
            if self.memo[0].contains_key(&node.tree) {
                break;
            }
            ahead.push(node.tree);
            if ahead.len() >= self.lookahead || node.boundary || node.parents_len == 0 {
                break;
            }
            let parent = walk.parent_ids[node.parents_start as usize];
            idx = walk.load(&parent)?;
        }
        self.lookahead = (self.lookahead * 2).min(MAX_LOOKAHEAD);
        let oldest_first = self.order.begin();
        let reads = self.reads;
        if oldest_first {
            for tree in ahead.iter().rev() {
                self.resolve(odb, tree)?;
            }
        } else {
            for tree in ahead.iter() {
                self.resolve(odb, tree)?;
            }
        }
        self.order.end(oldest_first, self.reads - reads);
        self.ahead = ahead;
        Ok(())
    }

    /// Mode and id of the entry at the path in tree `root`, `None` if absent.
    pub(super) fn resolve(
        &mut self,
        odb: &gix::OdbHandle,
        root: &oid,
    ) -> Result<Option<(EntryMode, ObjectId)>, GitError> {
        if self.comps.is_empty() {
            // The whole tree; an empty tree counts as "nothing there", as for git's pathspecs.
            if root == ObjectId::empty_tree(root.kind()) {
                return Ok(None);
            }
            return Ok(Some((EntryMode::from(gix::objs::tree::EntryKind::Tree), root.to_owned())));
        }
        self.chain.clear();
        let mut current = root.to_owned();
        let mut depth = 0;
        let result = loop {
            if let Some(known) = self.memo[depth].get(&current) {
                break *known;
            }
            self.chain.push(current);
            self.reads += 1;
            let tree = odb
                .find_tree_iter(&current, &mut self.buf)
                .map_err(|e| object_err(format!("tree {current}"), e))?;
            match find_entry(tree, &self.comps[depth], &current)? {
                Some(entry) if depth + 1 == self.comps.len() => break Some(entry),
                Some((mode, id)) if mode.is_tree() => {
                    current = id;
                    depth += 1;
                }
                _ => break None,
            }
        };
        for (depth, tree) in self.chain.drain(..).enumerate() {
            self.memo[depth].insert(tree, result);
        }
        Ok(result)
    }

    /// Like [`Self::resolve`] for the tree of commit `idx`, prefetching ancestors when unknown.
    pub(super) fn resolve_commit(
        &mut self,
        odb: &gix::OdbHandle,
        walk: &mut Walk<'_>,
        idx: usize,
    ) -> Result<Option<(EntryMode, ObjectId)>, GitError> {
        self.prefetch(odb, walk, idx)?;
        self.resolve(odb, &walk.nodes[idx].tree)
    }

    /// Like [`Self::resolve_commit`], but only a tree counts.
    pub(super) fn resolve_commit_tree(
        &mut self,
        odb: &gix::OdbHandle,
        walk: &mut Walk<'_>,
        idx: usize,
    ) -> Result<Option<ObjectId>, GitError> {
        Ok(self.resolve_commit(odb, walk, idx)?.filter(|(mode, _)| mode.is_tree()).map(|(_, id)| id))
    }

    /// Like [`Self::resolve`], but only a tree counts.
    pub(super) fn resolve_tree(
        &mut self,
        odb: &gix::OdbHandle,
        root: &oid,
    ) -> Result<Option<ObjectId>, GitError> {
        Ok(self.resolve(odb, root)?.filter(|(mode, _)| mode.is_tree()).map(|(_, id)| id))
    }
}
