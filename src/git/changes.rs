//! Which of the wanted files each commit changed, for `Repo::last_changes`.

use super::*;

/// The files still looked for by `last_changes`, as a tree mirroring HEAD's.
#[derive(Default)]
pub(super) struct Trie {
    pub(super) nodes: Vec<TrieNode>,
    pub(super) leaves: Vec<Leaf>,
    pub(super) depth: usize,
}

#[derive(Default)]
pub(super) struct TrieNode {
    /// Sorted by name (plain byte order).
    pub(super) children: Vec<(BString, Child)>,
    /// Leaves below this node that have not been found yet.
    pub(super) remaining: usize,
    /// The enclosing node (the root points to itself).
    pub(super) parent: usize,
}

#[derive(Clone, Copy)]
pub(super) enum Child {
    Leaf(usize),
    Dir(usize),
}

pub(super) struct Leaf {
    /// Repo-relative path.
    pub(super) path: BString,
    /// The node holding this leaf.
    pub(super) node: usize,
    /// Index (into the walk's commits) of the newest commit that changed it.
    pub(super) found: Option<usize>,
}

impl Trie {
    pub(super) fn build(
        &mut self,
        odb: &gix::OdbHandle,
        root: &oid,
        base: &mut BString,
    ) -> Result<(), GitError> {
        self.nodes.push(TrieNode::default());
        self.build_node(odb, 0, root, base, 0)
    }

    pub(super) fn build_node(
        &mut self,
        odb: &gix::OdbHandle,
        node: usize,
        id: &oid,
        path: &mut BString,
        depth: usize,
    ) -> Result<(), GitError> {
        let entries = plain_entries(odb, id, depth)?;
        self.depth = self.depth.max(depth);
        let mut subtrees = Vec::new();
        for (name, mode, entry_id) in entries {
            if mode.is_tree() {
                let dir = self.nodes.len();
                self.nodes.push(TrieNode { parent: node, ..Default::default() });
                self.nodes[node].children.push((name.clone(), Child::Dir(dir)));
                subtrees.push((dir, name, entry_id));
            } else if mode.is_blob_or_symlink() {
                let leaf = self.leaves.len();
                let mut leaf_path = path.clone();
                leaf_path.push_str(&name);
                self.leaves.push(Leaf { path: leaf_path, node, found: None });
                self.nodes[node].children.push((name, Child::Leaf(leaf)));
                self.nodes[node].remaining += 1;
            }
        }
        for (dir, name, sub) in subtrees {
            let len = path.len();
            path.push_str(&name);
            path.push(b'/');
            self.build_node(odb, dir, &sub, path, depth + 1)?;
            path.truncate(len);
            self.nodes[node].remaining += self.nodes[dir].remaining;
        }
        self.nodes[node].children.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(())
    }

    pub(super) fn child(&self, node: usize, name: &[u8]) -> Option<Child> {
        let children = &self.nodes[node].children;
        children.binary_search_by(|(n, _)| n.as_slice().cmp(name)).ok().map(|i| children[i].1)
    }

    /// Compares trees `new` and `old` (either may be absent), which sit at trie node `node`, and
    /// appends to `out` every leaf not found yet whose entry differs. Only subtrees whose ids
    /// differ and which hold such leaves are read; `reads` counts the trees read.
    pub(super) fn changed_leaves(
        &self,
        odb: &gix::OdbHandle,
        node: usize,
        (new, old): (Option<&oid>, Option<&oid>),
        out: &mut Vec<usize>,
        bufs: &mut [(Vec<u8>, Vec<u8>)],
        reads: &mut u64,
    ) -> Result<(), GitError> {
        let Some(((new_buf, old_buf), deeper)) = bufs.split_first_mut() else {
            return Ok(());
        };
        *reads += u64::from(new.is_some()) + u64::from(old.is_some());
        let mut new_iter = open_tree(odb, new, new_buf)?;
        let mut old_iter = open_tree(odb, old, old_buf)?;
        let wanted = self.nodes[node].remaining;
        let start = out.len();
        let mut a = next(&mut new_iter, new)?;
        let mut b = next(&mut old_iter, old)?;
        while out.len() - start < wanted {
            let (in_new, in_old) = match (a, b) {
                (None, None) => break,
                (Some(x), None) => {
                    a = next(&mut new_iter, new)?;
                    (Some(x), None)
                }
                (None, Some(y)) => {
                    b = next(&mut old_iter, old)?;
                    (None, Some(y))
                }
                (Some(x), Some(y)) => {
                    match gix::objs::tree::name_order(
                        x.filename,
                        x.mode.is_tree(),
                        y.filename,
                        y.mode.is_tree(),
                    ) {
                        Ordering::Less => {
                            a = next(&mut new_iter, new)?;
                            (Some(x), None)
                        }
                        Ordering::Greater => {
                            b = next(&mut old_iter, old)?;
                            (None, Some(y))
                        }
                        Ordering::Equal => {
                            a = next(&mut new_iter, new)?;
                            b = next(&mut old_iter, old)?;
                            if x.mode == y.mode && x.oid == y.oid {
                                continue;
                            }
                            (Some(x), Some(y))
                        }
                    }
                }
            };
            let Some(any) = in_new.or(in_old) else { continue };
            let is_tree = any.mode.is_tree();
            match self.child(node, any.filename) {
                // A blob, symlink or submodule where HEAD has a file: added, removed or modified.
                Some(Child::Leaf(leaf)) if !is_tree && self.leaves[leaf].found.is_none() => out.push(leaf),
                Some(Child::Dir(dir)) if is_tree && self.nodes[dir].remaining > 0 => {
                    let (new, old) = (in_new.map(|e| e.oid), in_old.map(|e| e.oid));
                    self.changed_leaves(odb, dir, (new, old), out, deeper, reads)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Records that `commit` is the newest change of `leaf`, unless one was found before.
    pub(super) fn mark(&mut self, leaf: usize, commit: usize) {
        if self.leaves[leaf].found.is_some() {
            return;
        }
        self.leaves[leaf].found = Some(commit);
        let mut node = self.leaves[leaf].node;
        loop {
            self.nodes[node].remaining -= 1;
            if node == 0 {
                break;
            }
            node = self.nodes[node].parent;
        }
    }
}

/// Computes, for stretches of first-parent history at once, which wanted files each non-merge
/// commit changed, so the trees can be read in the cheaper order (see [`ReadOrder`]).
pub(super) struct ChunkDiffer {
    pub(super) bufs: Vec<(Vec<u8>, Vec<u8>)>,
    /// Changed leaves per commit index, computed but not yet consumed.
    pub(super) pending: HashMap<usize, Vec<usize>>,
    pub(super) order: ReadOrder,
    pub(super) lookahead: usize,
    pub(super) chunk: Vec<usize>,
    /// Prefix trees of (commit, parent) per chunk entry.
    pub(super) trees: Vec<(Option<ObjectId>, Option<ObjectId>)>,
}

impl ChunkDiffer {
    /// Computes the changes of non-merge commit `start` and of up to `lookahead - 1` of its
    /// first-parent ancestors, stopping at merges and shallow boundaries. Files found in the
    /// meantime may be reported again for older commits; [`Trie::mark`] ignores them.
    pub(super) fn run(
        &mut self,
        odb: &gix::OdbHandle,
        walk: &mut Walk<'_>,
        lookup: &mut PathLookup,
        trie: &Trie,
        start: usize,
    ) -> Result<(), GitError> {
        self.chunk.clear();
        self.trees.clear();
        let mut idx = start;
        loop {
            let node = walk.nodes[idx];
            if node.boundary || node.parents_len > 1 || (idx != start && self.pending.contains_key(&idx)) {
                break;
            }
            self.chunk.push(idx);
            if self.chunk.len() >= self.lookahead || node.parents_len == 0 {
                break;
            }
            let parent = walk.parent_ids[node.parents_start as usize];
            idx = walk.load(&parent)?;
        }
        self.lookahead = (self.lookahead * 2).min(MAX_LOOKAHEAD);
        for &idx in &self.chunk {
            let node = walk.nodes[idx];
            let this = lookup.resolve_commit_tree(odb, walk, idx)?;
            let parent = match node.parents_len {
                0 => None,
                _ => {
                    let parent = walk.parent_ids[node.parents_start as usize];
                    let parent = walk.load(&parent)?;
                    lookup.resolve_commit_tree(odb, walk, parent)?
                }
            };
            self.trees.push((this, parent));
        }
        let oldest_first = self.order.begin();
        let mut reads = 0;
        for n in 0..self.chunk.len() {
            let n = if oldest_first { self.chunk.len() - 1 - n } else { n };
            let mut changed = Vec::new();
            let (this, parent) = &self.trees[n];
            if this != parent {
                let (this, parent) = (this.as_deref(), parent.as_deref());
                trie.changed_leaves(odb, 0, (this, parent), &mut changed, &mut self.bufs, &mut reads)?;
            }
            self.pending.insert(self.chunk[n], changed);
        }
        self.order.end(oldest_first, reads);
        Ok(())
    }
}

/// Iterates tree `id`, or the empty tree for `None`.
pub(super) fn open_tree<'a>(
    odb: &gix::OdbHandle,
    id: Option<&oid>,
    buf: &'a mut Vec<u8>,
) -> Result<TreeRefIter<'a>, GitError> {
    match id {
        Some(id) => odb.find_tree_iter(id, buf).map_err(|e| object_err(format!("tree {id}"), e)),
        None => Ok(TreeRefIter::from_bytes(&[], odb.store_ref().object_hash())),
    }
}

pub(super) fn next<'a>(
    iter: &mut TreeRefIter<'a>,
    id: Option<&oid>,
) -> Result<Option<gix::objs::tree::EntryRef<'a>>, GitError> {
    iter.next()
        .transpose()
        .map_err(|e| object_err(format!("tree {}", id.map(|i| i.to_string()).unwrap_or_default()), e))
}
