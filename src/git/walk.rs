//! Commits in `git log` order, from the commit-graph file when there is one.

use super::*;

/// Graph data of one commit.
#[derive(Clone, Copy)]
pub(super) struct Node {
    pub(super) tree: ObjectId,
    /// Committer time, for ordering.
    pub(super) time: i64,
    pub(super) parents_start: u32,
    pub(super) parents_len: u32,
    /// A shallow-clone boundary commit (its parents are not available).
    pub(super) boundary: bool,
    /// Already put in the queue once (git's SEEN flag).
    pub(super) queued: bool,
}

impl Node {
    pub(super) fn parents_range(&self) -> std::ops::Range<usize> {
        let start = self.parents_start as usize;
        start..start + self.parents_len as usize
    }
}

/// A commit walk in `git log` order (newest committer date first, ties in insertion order),
/// reading commits from the commit-graph file when there is one.
pub(super) struct Walk<'r> {
    pub(super) odb: &'r gix::OdbHandle,
    pub(super) graph: Option<gix::commitgraph::Graph>,
    pub(super) shallow: Vec<ObjectId>,
    pub(super) ids: Vec<ObjectId>,
    pub(super) nodes: Vec<Node>,
    pub(super) index: gix::hashtable::HashMap<ObjectId, usize>,
    pub(super) parent_ids: Vec<ObjectId>,
    pub(super) queue: BinaryHeap<(i64, Reverse<u64>, usize)>,
    pub(super) seq: u64,
    pub(super) buf: Vec<u8>,
}

impl<'r> Walk<'r> {
    pub(super) fn new(repo: &'r gix::Repository) -> Result<Self, GitError> {
        let shallow = repo
            .shallow_commits()
            .map_err(|e| object_err("reading the shallow file", e))?
            .map(|commits| {
                let mut v: Vec<ObjectId> = commits.iter().cloned().collect();
                v.sort();
                v
            })
            .unwrap_or_default();
        // `commit_graph_if_enabled` refuses the graph for shallow repositories and replacements;
        // a broken graph file just means reading commits from the object database.
        let graph = repo.commit_graph_if_enabled().ok().flatten();
        Ok(Walk {
            odb: &repo.objects,
            graph,
            shallow,
            ids: Vec::new(),
            nodes: Vec::new(),
            index: Default::default(),
            parent_ids: Vec::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            buf: Vec::new(),
        })
    }

    /// Index of commit `id`, reading it if it wasn't seen before.
    pub(super) fn load(&mut self, id: &oid) -> Result<usize, GitError> {
        if let Some(&idx) = self.index.get(id) {
            return Ok(idx);
        }
        let boundary =
            !self.shallow.is_empty() && self.shallow.binary_search_by(|s| s.as_ref().cmp(id)).is_ok();
        let parents_start = self.parent_ids.len() as u32;
        let from_graph = self.graph.as_ref().and_then(|graph| {
            let pos = graph.lookup(id)?;
            let commit = graph.commit_at(pos);
            let tree = commit.root_tree_id().to_owned();
            let time = commit.committer_timestamp() as i64;
            if !boundary {
                for parent in commit.iter_parents() {
                    match parent {
                        Ok(p) => self.parent_ids.push(graph.id_at(p).to_owned()),
                        Err(_) => {
                            self.parent_ids.truncate(parents_start as usize);
                            return None;
                        }
                    }
                }
            }
            Some((tree, time))
        });
        let (tree, time) = match from_graph {
            Some(found) => found,
            None => {
                let iter = self
                    .odb
                    .find_commit_iter(id, &mut self.buf)
                    .map_err(|e| object_err(format!("commit {id}"), e))?;
                read_commit_header(iter, boundary, &mut self.parent_ids)
                    .map_err(|e| object_err(format!("commit {id}"), e))?
            }
        };
        let idx = self.nodes.len();
        self.nodes.push(Node {
            tree,
            time,
            parents_start,
            parents_len: self.parent_ids.len() as u32 - parents_start,
            boundary,
            queued: false,
        });
        self.ids.push(id.to_owned());
        self.index.insert(id.to_owned(), idx);
        Ok(idx)
    }

    pub(super) fn enqueue(&mut self, idx: usize) {
        let node = &mut self.nodes[idx];
        if node.queued {
            return;
        }
        node.queued = true;
        self.seq += 1;
        self.queue.push((node.time, Reverse(self.seq), idx));
    }

    pub(super) fn pop(&mut self) -> Option<usize> {
        self.queue.pop().map(|(_, _, idx)| idx)
    }
}

/// Reads tree, parents (unless `boundary`) and committer time from a commit's headers.
pub(super) fn read_commit_header(
    iter: CommitRefIter<'_>,
    boundary: bool,
    parents: &mut Vec<ObjectId>,
) -> Result<(ObjectId, i64), gix::Error> {
    let mut tree = None;
    for token in iter {
        match token? {
            Token::Tree { id } => tree = Some(id),
            Token::Parent { id } if !boundary => parents.push(id),
            Token::Committer { signature } => {
                let time = signature.time()?.seconds;
                if let Some(tree) = tree {
                    return Ok((tree, time));
                }
                break;
            }
            _ => {}
        }
    }
    Err(gix::Error::from_error(std::io::Error::other("commit lacks a tree or committer")))
}
