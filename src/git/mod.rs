//! Read-only access to the git repository that holds the rotation data.
//!
//! Everything here reads the object database directly through `gix` (no checkout, no git CLI).
//! History queries walk commits newest-first by committer date, the way `git log` does, and avoid
//! full tree diffs: trees are compared by id along the paths of interest, so unchanged subtrees
//! are never read.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use chrono::{DateTime, FixedOffset};
use gix::bstr::{BStr, BString, ByteSlice, ByteVec};
use gix::hash::{ObjectId, oid};
use gix::objs::commit::ref_iter::Token;
use gix::objs::tree::EntryMode;
use gix::objs::{CommitRef, CommitRefIter, FindExt, TreeRefIter};

/// Memory for decoded pack entries kept to shortcut delta chains (gix's default is 96 MiB).
const PACK_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// A repository opened for reading.
pub struct Repo {
    repo: gix::Repository,
    /// Canonicalized work tree root, `None` for bare repositories.
    workdir: Option<PathBuf>,
    /// Delta-chain steps taken while decoding pack entries (see [`CountingPackCache`]).
    chain_steps: Arc<AtomicU64>,
}

/// One commit, as reported by [`Repo::last_changes`] and [`Repo::file_history`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Full hex id of the commit.
    pub commit: String,
    /// Author date, with the author's UTC offset.
    pub date: DateTime<FixedOffset>,
    pub author_name: String,
    pub author_email: String,
    /// First paragraph of the message, folded into one line (like `git log --format=%s`).
    pub summary: String,
}

/// Everything that can go wrong while reading the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitError {
    /// The repository could not be opened.
    Open { path: PathBuf, message: String },
    /// A revision spec did not resolve to a commit or tree.
    Revision { spec: String, message: String },
    /// A path given to a query was not a plain relative path (absolute, or containing `..`).
    InvalidPath(PathBuf),
    /// Reading or decoding objects failed (missing objects, corrupt data, I/O errors).
    Object(String),
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitError::Open { path, message } => {
                write!(f, "cannot open git repository at {}: {message}", path.display())
            }
            GitError::Revision { spec, message } => write!(f, "cannot resolve revision {spec:?}: {message}"),
            GitError::InvalidPath(path) => {
                write!(f, "{} is not a relative path inside the repository", path.display())
            }
            GitError::Object(message) => write!(f, "cannot read git objects: {message}"),
        }
    }
}

impl std::error::Error for GitError {}

fn object_err(context: impl fmt::Display, err: impl fmt::Display) -> GitError {
    GitError::Object(format!("{context}: {err:#}"))
}

fn rev_err(spec: &str, message: impl Into<String>) -> GitError {
    GitError::Revision { spec: spec.to_owned(), message: message.into() }
}

impl Repo {
    /// Finds the repository that contains `path` (walks up). `Ok(None)` when `path` is not inside
    /// a git repository.
    pub fn discover(path: &Path) -> Result<Option<Repo>, GitError> {
        let start = if path.is_file() { path.parent().unwrap_or(path) } else { path };
        let start = if start.as_os_str().is_empty() { Path::new(".") } else { start };
        match gix::discover(start) {
            Ok(repo) => Ok(Some(Repo::from_gix(repo))),
            Err(err) => {
                use gix::discover::upwards::Error as E;
                match err.downcast_any_ref::<E>() {
                    Some(
                        E::NoGitRepository { .. }
                        | E::NoGitRepositoryWithinCeiling { .. }
                        | E::NoGitRepositoryWithinFs { .. },
                    ) => Ok(None),
                    _ => Err(GitError::Open { path: path.to_owned(), message: format!("{err:#}") }),
                }
            }
        }
    }

    /// Opens the repository at `path` exactly (a work tree, a `.git` folder or a bare repository).
    pub fn open(path: &Path) -> Result<Repo, GitError> {
        gix::open(path)
            .map(Repo::from_gix)
            .map_err(|err| GitError::Open { path: path.to_owned(), message: format!("{err:#}") })
    }

    fn from_gix(mut repo: gix::Repository) -> Repo {
        let chain_steps = Arc::new(AtomicU64::new(0));
        let counter = chain_steps.clone();
        repo.objects.set_pack_cache(move || {
            Box::new(CountingPackCache {
                inner: gix::odb::pack::cache::lru::MemoryCappedHashmap::new(PACK_CACHE_BYTES),
                chain_steps: counter.clone(),
            })
        });
        let workdir = repo.workdir().map(|dir| {
            let absolute = if dir.is_absolute() {
                dir.to_owned()
            } else {
                std::env::current_dir().map(|cwd| cwd.join(dir)).unwrap_or_else(|_| dir.to_owned())
            };
            std::fs::canonicalize(&absolute).unwrap_or(absolute)
        });
        Repo { repo, workdir, chain_steps }
    }

    /// Root of the work tree (canonicalized), `None` for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    /// True for a shallow clone (history is cut off, so dates of old changes are unknown).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow().unwrap_or(false)
    }

    /// Path of `path` relative to the work tree root (for mapping data/ files to repo paths).
    /// `None` for bare repositories and for paths outside the work tree. Relative paths are taken
    /// relative to the current directory; `path` need not exist.
    pub fn relative_to_workdir(&self, path: &Path) -> Option<PathBuf> {
        let root = self.workdir.as_deref()?;
        let absolute =
            if path.is_absolute() { path.to_owned() } else { std::env::current_dir().ok()?.join(path) };
        let absolute = canonicalize_lenient(&absolute);
        let rel = absolute.strip_prefix(root).ok()?;
        // Never point into the repository's own metadata.
        if rel.components().next() == Some(Component::Normal(".git".as_ref())) {
            return None;
        }
        Some(rel.to_owned())
    }

    /// All files (blobs, including symlinks; no submodules) under `dir` (a repo-relative folder,
    /// "" for root) in the tree of revision `rev` (`HEAD`, `origin/main`, a tag, a full or
    /// abbreviated hex id, optionally followed by `~N`/`^N`), as (path relative to `dir`, bytes),
    /// sorted by path. Empty when `dir` does not exist in that revision.
    pub fn files_at(&self, rev: &str, dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, GitError> {
        let comps = path_components(dir)?;
        let root = self.resolve_tree(rev)?;
        let mut lookup = PathLookup::new(comps, self.chain_steps.clone());
        let Some(start) = lookup.resolve(&self.repo.objects, &root)?.filter(|e| e.0.is_tree()).map(|e| e.1)
        else {
            return Ok(Vec::new());
        };
        let mut blobs = Vec::new();
        let mut prefix = BString::default();
        collect_blobs(&self.repo.objects, &start, &mut prefix, &mut blobs, 0)?;
        let mut out = Vec::with_capacity(blobs.len());
        let mut buf = Vec::new();
        for (path, id) in blobs {
            let blob = self
                .repo
                .objects
                .find_blob(&id, &mut buf)
                .map_err(|e| object_err(format!("blob {id}"), e))?;
            out.push((bytes_to_path(path.as_ref())?, blob.data.to_vec()));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// ONE pass over history from HEAD, skipping merge commits (like `git log --no-merges`),
    /// returning for every file under `prefix` (repo-relative folder, "" for all) that exists in
    /// HEAD the newest commit that changed it. Keys are repo-relative paths (they include
    /// `prefix`). Stops as soon as every such file has been found.
    ///
    /// On a shallow clone, files whose last change is not within the available history are left
    /// out: the boundary commits' parents are missing, so what they changed is unknown.
    /// Files whose only changes were made in merge commits are left out as well.
    pub fn last_changes(&self, prefix: &Path) -> Result<HashMap<PathBuf, Change>, GitError> {
        let comps = path_components(prefix)?;
        let odb = &self.repo.objects;
        let Some(head) = self.head_id()? else {
            return Ok(HashMap::new());
        };
        let mut walk = Walk::new(&self.repo)?;
        let head_idx = walk.load(&head)?;
        let mut lookup = PathLookup::new(comps.clone(), self.chain_steps.clone());
        let head_tree = walk.nodes[head_idx].tree;
        let Some(head_prefix) = lookup.resolve_tree(odb, &head_tree)? else {
            return Ok(HashMap::new());
        };

        let mut base = BString::default();
        for c in &comps {
            base.push_str(c);
            base.push(b'/');
        }
        let mut trie = Trie::default();
        trie.build(odb, &head_prefix, &mut base)?;
        if trie.nodes[0].remaining == 0 {
            return Ok(HashMap::new());
        }
        let mut differ = ChunkDiffer {
            bufs: vec![(Vec::new(), Vec::new()); trie.depth + 1],
            pending: HashMap::new(),
            order: ReadOrder::new(self.chain_steps.clone()),
            lookahead: FIRST_LOOKAHEAD,
            chunk: Vec::new(),
            trees: Vec::new(),
        };

        walk.enqueue(head_idx);
        while let Some(idx) = walk.pop() {
            let node = walk.nodes[idx];
            if node.boundary {
                // Shallow boundary: parents are missing, what it changed is unknown.
                continue;
            }
            for i in node.parents_range() {
                let parent = walk.parent_ids[i];
                let parent = walk.load(&parent)?;
                walk.enqueue(parent);
            }
            if node.parents_len > 1 {
                continue; // --no-merges
            }
            let changed = match differ.pending.remove(&idx) {
                Some(changed) => changed,
                None => {
                    differ.run(odb, &mut walk, &mut lookup, &trie, idx)?;
                    // `run` always covers `start`; anything else would be a bug here.
                    differ.pending.remove(&idx).ok_or_else(|| {
                        GitError::Object(format!("internal error: no changes computed for {}", walk.ids[idx]))
                    })?
                }
            };
            for leaf in changed {
                trie.mark(leaf, idx);
            }
            if trie.nodes[0].remaining == 0 {
                break;
            }
        }

        let mut changes: HashMap<usize, Change> = HashMap::new();
        let mut out = HashMap::with_capacity(trie.leaves.len());
        let mut buf = Vec::new();
        for leaf in &trie.leaves {
            let Some(commit_idx) = leaf.found else { continue };
            let change = match changes.get(&commit_idx) {
                Some(change) => change.clone(),
                None => {
                    let change = make_change(odb, &walk.ids[commit_idx], &mut buf)?;
                    changes.insert(commit_idx, change.clone());
                    change
                }
            };
            out.insert(bytes_to_path(leaf.path.as_ref())?, change);
        }
        Ok(out)
    }

    /// Commits that changed `path` (a repo-relative file or folder path), newest first, like
    /// `git log --no-merges -- PATH` (default history simplification, no rename following, the
    /// path taken literally), at most `limit` (`None` = all). One walk that compares only the
    /// tree entries along `path`; works on bare repositories too.
    ///
    /// On a shallow clone the boundary commits are never reported (unlike `git log`, which treats
    /// them as root commits that add every file), since whether they changed `path` is unknown.
    pub fn file_history(&self, path: &Path, limit: Option<usize>) -> Result<Vec<Change>, GitError> {
        let comps = path_components(path)?;
        let odb = &self.repo.objects;
        let limit = limit.unwrap_or(usize::MAX);
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let Some(head) = self.head_id()? else {
            return Ok(out);
        };
        let mut walk = Walk::new(&self.repo)?;
        let mut lookup = PathLookup::new(comps, self.chain_steps.clone());
        let mut buf = Vec::new();
        let mut parents: Vec<usize> = Vec::with_capacity(2);
        let head_idx = walk.load(&head)?;
        walk.enqueue(head_idx);
        while let Some(idx) = walk.pop() {
            let node = walk.nodes[idx];
            if node.boundary {
                continue;
            }
            let this = lookup.resolve_commit(odb, &mut walk, idx)?;
            parents.clear();
            for i in node.parents_range() {
                let id = walk.parent_ids[i];
                parents.push(walk.load(&id)?);
            }
            if parents.is_empty() {
                // A root commit changed `path` if it has it.
                if this.is_some() {
                    out.push(make_change(odb, &walk.ids[idx], &mut buf)?);
                    if out.len() >= limit {
                        break;
                    }
                }
                continue;
            }
            // Default history simplification: follow only the first parent whose entry at
            // `path` is identical (TREESAME); the commit is then not interesting.
            let mut same = None;
            for &p in &parents {
                if lookup.resolve_commit(odb, &mut walk, p)? == this {
                    same = Some(p);
                    break;
                }
            }
            match same {
                Some(p) => walk.enqueue(p),
                None => {
                    if parents.len() == 1 {
                        out.push(make_change(odb, &walk.ids[idx], &mut buf)?);
                        if out.len() >= limit {
                            break;
                        }
                    }
                    for &p in &parents {
                        walk.enqueue(p);
                    }
                }
            }
        }
        Ok(out)
    }

    fn head_id(&self) -> Result<Option<ObjectId>, GitError> {
        let head = self.repo.head().map_err(|e| object_err("reading HEAD", e))?;
        Ok(head.id().map(|id| id.detach()))
    }

    /// Resolves `spec` to a tree id: `<base>` followed by any number of `~N`, `^N`, `^{}` suffixes,
    /// where `<base>` is a reference name (`HEAD`, `main`, `origin/main`, `v1.0`, `refs/...`),
    /// a full hex id, or an unambiguous abbreviated hex id.
    fn resolve_tree(&self, spec: &str) -> Result<ObjectId, GitError> {
        let split = spec.find(['~', '^']).unwrap_or(spec.len());
        let (base, mut suffix) = spec.split_at(split);
        let base = if base == "@" { "HEAD" } else { base };
        if base.is_empty() {
            return Err(rev_err(spec, "empty revision"));
        }
        let mut id = self.resolve_base(spec, base)?;
        while !suffix.is_empty() {
            if !(suffix.starts_with('~') || suffix.starts_with('^')) {
                return Err(rev_err(spec, format!("unsupported revision syntax at {suffix:?}")));
            }
            let (op, rest) = suffix.split_at(1);
            if op == "^" && rest.starts_with('{') {
                let end = rest.find('}').ok_or_else(|| rev_err(spec, "unterminated ^{...}"))?;
                let kind = &rest[1..end];
                id = match kind {
                    "" => self.peel_tags(spec, id)?,
                    "commit" => self.peel_to_commit(spec, id)?,
                    "tree" => self.tree_of(spec, id)?,
                    other => return Err(rev_err(spec, format!("unsupported peel ^{{{other}}}"))),
                };
                suffix = &rest[end + 1..];
                continue;
            }
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let number: Option<usize> = if digits == 0 {
                None
            } else {
                Some(rest[..digits].parse().map_err(|_| rev_err(spec, "number too large"))?)
            };
            suffix = &rest[digits..];
            let commit = self.peel_to_commit(spec, id)?;
            id = if op == "~" {
                let mut current = commit;
                for _ in 0..number.unwrap_or(1) {
                    current = self
                        .parents_of(spec, current)?
                        .first()
                        .copied()
                        .ok_or_else(|| rev_err(spec, format!("{current} has no parent")))?;
                }
                current
            } else {
                match number.unwrap_or(1) {
                    0 => commit,
                    n => *self
                        .parents_of(spec, commit)?
                        .get(n - 1)
                        .ok_or_else(|| rev_err(spec, format!("{commit} has no parent #{n}")))?,
                }
            };
        }
        self.tree_of(spec, id)
    }

    fn resolve_base(&self, spec: &str, base: &str) -> Result<ObjectId, GitError> {
        let hex_len = self.repo.object_hash().len_in_hex();
        let is_hex = base.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex && base.len() == hex_len {
            let id = ObjectId::from_hex(base.as_bytes()).map_err(|e| rev_err(spec, e.to_string()))?;
            if self.repo.has_object(id) {
                return Ok(id);
            }
            return Err(rev_err(spec, "object not found"));
        }
        let reference = self.repo.try_find_reference(base).map_err(|e| rev_err(spec, format!("{e:#}")));
        if let Ok(Some(mut reference)) = reference {
            let id = reference.peel_to_id().map_err(|e| rev_err(spec, format!("{e:#}")))?;
            return Ok(id.detach());
        }
        if is_hex && base.len() >= 4 && base.len() < hex_len {
            let prefix = gix::hash::Prefix::from_hex(base).map_err(|e| rev_err(spec, e.to_string()))?;
            match self.repo.objects.lookup_prefix(prefix, None) {
                Ok(Some(Ok(id))) => return Ok(id),
                Ok(Some(Err(()))) => return Err(rev_err(spec, "ambiguous abbreviated id")),
                Ok(None) => {}
                Err(e) => return Err(rev_err(spec, format!("{e:#}"))),
            }
        }
        match reference {
            Err(e) => Err(e),
            _ => Err(rev_err(spec, "no such reference or object")),
        }
    }

    fn peel_tags(&self, spec: &str, id: ObjectId) -> Result<ObjectId, GitError> {
        let object = self.repo.find_object(id).map_err(|e| rev_err(spec, format!("{e:#}")))?;
        let object = object.peel_tags_to_end().map_err(|e| rev_err(spec, format!("{e:#}")))?;
        Ok(object.id)
    }

    fn peel_to_commit(&self, spec: &str, id: ObjectId) -> Result<ObjectId, GitError> {
        let object = self.repo.find_object(id).map_err(|e| rev_err(spec, format!("{e:#}")))?;
        let commit = object.peel_to_commit().map_err(|e| rev_err(spec, format!("{e:#}")))?;
        Ok(commit.id)
    }

    fn parents_of(&self, spec: &str, commit: ObjectId) -> Result<Vec<ObjectId>, GitError> {
        let commit = self.repo.find_commit(commit).map_err(|e| rev_err(spec, format!("{e:#}")))?;
        Ok(commit.parent_ids().map(|id| id.detach()).collect())
    }

    fn tree_of(&self, spec: &str, id: ObjectId) -> Result<ObjectId, GitError> {
        let object = self.repo.find_object(id).map_err(|e| rev_err(spec, format!("{e:#}")))?;
        let object = object.peel_tags_to_end().map_err(|e| rev_err(spec, format!("{e:#}")))?;
        match object.kind {
            gix::objs::Kind::Tree => Ok(object.id),
            gix::objs::Kind::Commit => {
                let tree = object.into_commit().tree_id().map_err(|e| rev_err(spec, format!("{e:#}")))?;
                Ok(tree.detach())
            }
            kind => Err(rev_err(spec, format!("points to a {kind}, not a commit or tree"))),
        }
    }
}

/// Canonicalizes the longest existing ancestor of `path` and appends the rest.
fn canonicalize_lenient(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            let mut out = canonical;
            for name in rest.iter().rev() {
                out.push(name);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return path.to_owned(),
        }
    }
}

/// Splits a repo-relative path into its components as bytes; `""` and `"."` give none.
fn path_components(path: &Path) -> Result<Vec<BString>, GitError> {
    let mut out = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(name) => {
                let bytes =
                    gix::path::os_str_into_bstr(name).map_err(|_| GitError::InvalidPath(path.to_owned()))?;
                out.push(bytes.to_owned());
            }
            Component::CurDir => {}
            _ => return Err(GitError::InvalidPath(path.to_owned())),
        }
    }
    Ok(out)
}

fn bytes_to_path(bytes: &BStr) -> Result<PathBuf, GitError> {
    gix::path::from_bstr(bytes)
        .map(|p| p.into_owned())
        .map_err(|_| GitError::Object(format!("path {bytes:?} cannot be represented on this platform")))
}

fn make_change(odb: &gix::OdbHandle, id: &oid, buf: &mut Vec<u8>) -> Result<Change, GitError> {
    let commit: CommitRef<'_> =
        odb.find_commit(id, buf).map_err(|e| object_err(format!("commit {id}"), e))?;
    let author = commit.author().map_err(|e| object_err(format!("author of {id}"), e))?;
    let time = author.time().map_err(|e| object_err(format!("author date of {id}"), e))?;
    let offset = FixedOffset::east_opt(time.offset)
        .ok_or_else(|| GitError::Object(format!("commit {id} has an invalid UTC offset")))?;
    let date = DateTime::from_timestamp(time.seconds, 0)
        .ok_or_else(|| GitError::Object(format!("commit {id} has an out-of-range date")))?
        .with_timezone(&offset);
    Ok(Change {
        commit: id.to_string(),
        date,
        author_name: author.name.to_str_lossy().into_owned(),
        author_email: author.email.to_str_lossy().into_owned(),
        summary: commit.message().summary().to_str_lossy().into_owned(),
    })
}

/// Appends every blob (and symlink) below tree `id` to `out` as (path, id), in tree order.
fn collect_blobs(
    odb: &gix::OdbHandle,
    id: &oid,
    prefix: &mut BString,
    out: &mut Vec<(BString, ObjectId)>,
    depth: usize,
) -> Result<(), GitError> {
    let mut subtrees = Vec::new();
    for (name, mode, entry_id) in plain_entries(odb, id, depth)? {
        let mut path = prefix.clone();
        path.push_str(&name);
        if mode.is_tree() {
            subtrees.push((path, entry_id));
        } else if mode.is_blob_or_symlink() {
            out.push((path, entry_id));
        }
    }
    for (mut path, sub) in subtrees {
        path.push(b'/');
        collect_blobs(odb, &sub, &mut path, out, depth + 1)?;
    }
    Ok(())
}

/// The entries of tree `id`, nested `depth` levels deep, whose names are
/// plain path components, as (name, mode, id). For reading whole trees once;
/// the history walks compare entries in place instead.
fn plain_entries(
    odb: &gix::OdbHandle,
    id: &oid,
    depth: usize,
) -> Result<Vec<(BString, EntryMode, ObjectId)>, GitError> {
    if depth > MAX_TREE_DEPTH {
        return Err(too_deep(id));
    }
    let mut buf = Vec::new();
    let tree = odb.find_tree_iter(id, &mut buf).map_err(|e| object_err(format!("tree {id}"), e))?;
    let mut out = Vec::new();
    for entry in tree {
        let entry = entry.map_err(|e| object_err(format!("tree {id}"), e))?;
        if is_plain_name(entry.filename) {
            out.push((entry.filename.to_owned(), entry.mode, entry.oid.to_owned()));
        }
    }
    Ok(out)
}

/// Deeper trees are refused rather than risking a stack overflow (git's own limit is 4096).
const MAX_TREE_DEPTH: usize = 1024;

/// Tree entry names that cannot be turned into a relative path component are skipped, so that
/// a crafted repository cannot produce paths like `../x`.
fn is_plain_name(name: &[u8]) -> bool {
    !(name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0))
        && !(cfg!(windows) && name.contains(&b'\\'))
}

fn too_deep(id: &oid) -> GitError {
    GitError::Object(format!("tree {id} is nested more than {MAX_TREE_DEPTH} levels deep"))
}

/// Finds `name` in a tree, returning its mode and id.
fn find_entry(
    tree: TreeRefIter<'_>,
    name: &[u8],
    tree_id: &oid,
) -> Result<Option<(EntryMode, ObjectId)>, GitError> {
    for entry in tree {
        let entry = entry.map_err(|e| object_err(format!("tree {tree_id}"), e))?;
        if entry.filename.as_bytes() == name {
            return Ok(Some((entry.mode, entry.oid.to_owned())));
        }
        // Entries are sorted with trees as if suffixed by '/'; once past `name/`, it can't follow.
        if gix::objs::tree::name_order(entry.filename, entry.mode.is_tree(), name.as_bstr(), true)
            == Ordering::Greater
        {
            return Ok(None);
        }
    }
    Ok(None)
}

mod changes;
mod lookup;
#[cfg(test)]
mod tests;
mod walk;

use changes::*;
use lookup::*;
use walk::*;
