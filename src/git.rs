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
    if depth > MAX_TREE_DEPTH {
        return Err(too_deep(id));
    }
    let mut buf = Vec::new();
    let tree = odb.find_tree_iter(id, &mut buf).map_err(|e| object_err(format!("tree {id}"), e))?;
    let mut subtrees = Vec::new();
    for entry in tree {
        let entry = entry.map_err(|e| object_err(format!("tree {id}"), e))?;
        if !is_plain_name(entry.filename) {
            continue;
        }
        let len = prefix.len();
        prefix.push_str(entry.filename);
        if entry.mode.is_tree() {
            subtrees.push((prefix.clone(), entry.oid.to_owned()));
        } else if entry.mode.is_blob_or_symlink() {
            out.push((prefix.clone(), entry.oid.to_owned()));
        }
        prefix.truncate(len);
    }
    for (mut path, sub) in subtrees {
        path.push(b'/');
        collect_blobs(odb, &sub, &mut path, out, depth + 1)?;
    }
    Ok(())
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

/// Resolves one fixed path in many trees, memoizing the answer for every (depth, tree id) seen,
/// so that a subtree shared with a previously looked-up tree is never read again.
struct PathLookup {
    comps: Vec<BString>,
    memo: Vec<gix::hashtable::HashMap<ObjectId, Option<(EntryMode, ObjectId)>>>,
    chain: Vec<ObjectId>,
    buf: Vec<u8>,
    /// How many first-parent ancestors the next [`Self::prefetch`] resolves.
    lookahead: usize,
    ahead: Vec<ObjectId>,
    /// Trees read so far.
    reads: u64,
    order: ReadOrder,
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
struct ReadOrder {
    chain_steps: Arc<AtomicU64>,
    rounds: u32,
    /// (trees read, delta-chain steps) when reading oldest-first [0] and newest-first [1].
    stats: [(u64, u64); 2],
    /// Chain-step counter when the current round began.
    started_at: u64,
}

impl ReadOrder {
    fn new(chain_steps: Arc<AtomicU64>) -> Self {
        ReadOrder { chain_steps, rounds: 0, stats: [(0, 0); 2], started_at: 0 }
    }

    /// Starts a round; true for oldest-first.
    fn begin(&mut self) -> bool {
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
    fn end(&mut self, oldest_first: bool, reads: u64) {
        let steps = self.chain_steps.load(AtomicOrdering::Relaxed).saturating_sub(self.started_at);
        let stats = &mut self.stats[usize::from(!oldest_first)];
        stats.0 += reads;
        stats.1 += steps;
    }
}

/// A pack (delta base) cache that also counts how many delta-chain links are followed, which
/// is what makes an object read cheap or expensive (see [`ReadOrder`]).
struct CountingPackCache {
    inner: gix::odb::pack::cache::lru::MemoryCappedHashmap,
    chain_steps: Arc<AtomicU64>,
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

const FIRST_LOOKAHEAD: usize = 8;
const MAX_LOOKAHEAD: usize = 256;

impl PathLookup {
    fn new(comps: Vec<BString>, chain_steps: Arc<AtomicU64>) -> Self {
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
    fn prefetch(&mut self, odb: &gix::OdbHandle, walk: &mut Walk<'_>, start: usize) -> Result<(), GitError> {
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
    fn resolve(
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
    fn resolve_commit(
        &mut self,
        odb: &gix::OdbHandle,
        walk: &mut Walk<'_>,
        idx: usize,
    ) -> Result<Option<(EntryMode, ObjectId)>, GitError> {
        self.prefetch(odb, walk, idx)?;
        self.resolve(odb, &walk.nodes[idx].tree)
    }

    /// Like [`Self::resolve_commit`], but only a tree counts.
    fn resolve_commit_tree(
        &mut self,
        odb: &gix::OdbHandle,
        walk: &mut Walk<'_>,
        idx: usize,
    ) -> Result<Option<ObjectId>, GitError> {
        Ok(self.resolve_commit(odb, walk, idx)?.filter(|(mode, _)| mode.is_tree()).map(|(_, id)| id))
    }

    /// Like [`Self::resolve`], but only a tree counts.
    fn resolve_tree(&mut self, odb: &gix::OdbHandle, root: &oid) -> Result<Option<ObjectId>, GitError> {
        Ok(self.resolve(odb, root)?.filter(|(mode, _)| mode.is_tree()).map(|(_, id)| id))
    }
}

/// The files still looked for by `last_changes`, as a tree mirroring HEAD's.
#[derive(Default)]
struct Trie {
    nodes: Vec<TrieNode>,
    leaves: Vec<Leaf>,
    depth: usize,
}

#[derive(Default)]
struct TrieNode {
    /// Sorted by name (plain byte order).
    children: Vec<(BString, Child)>,
    /// Leaves below this node that have not been found yet.
    remaining: usize,
    /// The enclosing node (the root points to itself).
    parent: usize,
}

#[derive(Clone, Copy)]
enum Child {
    Leaf(usize),
    Dir(usize),
}

struct Leaf {
    /// Repo-relative path.
    path: BString,
    /// The node holding this leaf.
    node: usize,
    /// Index (into the walk's commits) of the newest commit that changed it.
    found: Option<usize>,
}

impl Trie {
    fn build(&mut self, odb: &gix::OdbHandle, root: &oid, base: &mut BString) -> Result<(), GitError> {
        self.nodes.push(TrieNode::default());
        self.build_node(odb, 0, root, base, 0)
    }

    fn build_node(
        &mut self,
        odb: &gix::OdbHandle,
        node: usize,
        id: &oid,
        path: &mut BString,
        depth: usize,
    ) -> Result<(), GitError> {
        if depth > MAX_TREE_DEPTH {
            return Err(too_deep(id));
        }
        self.depth = self.depth.max(depth);
        let mut buf = Vec::new();
        let tree = odb.find_tree_iter(id, &mut buf).map_err(|e| object_err(format!("tree {id}"), e))?;
        let mut subtrees = Vec::new();
        for entry in tree {
            let entry = entry.map_err(|e| object_err(format!("tree {id}"), e))?;
            if !is_plain_name(entry.filename) {
                continue;
            }
            if entry.mode.is_tree() {
                let dir = self.nodes.len();
                self.nodes.push(TrieNode { parent: node, ..Default::default() });
                self.nodes[node].children.push((entry.filename.to_owned(), Child::Dir(dir)));
                subtrees.push((dir, entry.filename.to_owned(), entry.oid.to_owned()));
            } else if entry.mode.is_blob_or_symlink() {
                let leaf = self.leaves.len();
                let mut leaf_path = path.clone();
                leaf_path.push_str(entry.filename);
                self.leaves.push(Leaf { path: leaf_path, node, found: None });
                self.nodes[node].children.push((entry.filename.to_owned(), Child::Leaf(leaf)));
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

    fn child(&self, node: usize, name: &[u8]) -> Option<Child> {
        let children = &self.nodes[node].children;
        children.binary_search_by(|(n, _)| n.as_slice().cmp(name)).ok().map(|i| children[i].1)
    }

    /// Compares trees `new` and `old` (either may be absent), which sit at trie node `node`, and
    /// appends to `out` every leaf not found yet whose entry differs. Only subtrees whose ids
    /// differ and which hold such leaves are read; `reads` counts the trees read.
    fn changed_leaves(
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
    fn mark(&mut self, leaf: usize, commit: usize) {
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
struct ChunkDiffer {
    bufs: Vec<(Vec<u8>, Vec<u8>)>,
    /// Changed leaves per commit index, computed but not yet consumed.
    pending: HashMap<usize, Vec<usize>>,
    order: ReadOrder,
    lookahead: usize,
    chunk: Vec<usize>,
    /// Prefix trees of (commit, parent) per chunk entry.
    trees: Vec<(Option<ObjectId>, Option<ObjectId>)>,
}

impl ChunkDiffer {
    /// Computes the changes of non-merge commit `start` and of up to `lookahead - 1` of its
    /// first-parent ancestors, stopping at merges and shallow boundaries. Files found in the
    /// meantime may be reported again for older commits; [`Trie::mark`] ignores them.
    fn run(
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
fn open_tree<'a>(
    odb: &gix::OdbHandle,
    id: Option<&oid>,
    buf: &'a mut Vec<u8>,
) -> Result<TreeRefIter<'a>, GitError> {
    match id {
        Some(id) => odb.find_tree_iter(id, buf).map_err(|e| object_err(format!("tree {id}"), e)),
        None => Ok(TreeRefIter::from_bytes(&[], odb.store_ref().object_hash())),
    }
}

fn next<'a>(
    iter: &mut TreeRefIter<'a>,
    id: Option<&oid>,
) -> Result<Option<gix::objs::tree::EntryRef<'a>>, GitError> {
    iter.next()
        .transpose()
        .map_err(|e| object_err(format!("tree {}", id.map(|i| i.to_string()).unwrap_or_default()), e))
}

/// Graph data of one commit.
#[derive(Clone, Copy)]
struct Node {
    tree: ObjectId,
    /// Committer time, for ordering.
    time: i64,
    parents_start: u32,
    parents_len: u32,
    /// A shallow-clone boundary commit (its parents are not available).
    boundary: bool,
    /// Already put in the queue once (git's SEEN flag).
    queued: bool,
}

impl Node {
    fn parents_range(&self) -> std::ops::Range<usize> {
        let start = self.parents_start as usize;
        start..start + self.parents_len as usize
    }
}

/// A commit walk in `git log` order (newest committer date first, ties in insertion order),
/// reading commits from the commit-graph file when there is one.
struct Walk<'r> {
    odb: &'r gix::OdbHandle,
    graph: Option<gix::commitgraph::Graph>,
    shallow: Vec<ObjectId>,
    ids: Vec<ObjectId>,
    nodes: Vec<Node>,
    index: gix::hashtable::HashMap<ObjectId, usize>,
    parent_ids: Vec<ObjectId>,
    queue: BinaryHeap<(i64, Reverse<u64>, usize)>,
    seq: u64,
    buf: Vec<u8>,
}

impl<'r> Walk<'r> {
    fn new(repo: &'r gix::Repository) -> Result<Self, GitError> {
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
    fn load(&mut self, id: &oid) -> Result<usize, GitError> {
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

    fn enqueue(&mut self, idx: usize) {
        let node = &mut self.nodes[idx];
        if node.queued {
            return;
        }
        node.queued = true;
        self.seq += 1;
        self.queue.push((node.time, Reverse(self.seq), idx));
    }

    fn pop(&mut self) -> Option<usize> {
        self.queue.pop().map(|(_, _, idx)| idx)
    }
}

/// Reads tree, parents (unless `boundary`) and committer time from a commit's headers.
fn read_commit_header(
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    struct Fixture {
        _tmp: tempfile::TempDir,
        path: PathBuf,
        /// Seconds since epoch used for the next commit.
        clock: i64,
    }

    fn git(dir: &Path, args: &[&str]) -> String {
        git_env(dir, args, &[])
    }

    fn git_env(dir: &Path, args: &[&str], env: &[(&str, String)]) -> String {
        let mut cmd = Command::new("git");
        cmd.current_dir(dir)
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
                "-c",
                "protocol.file.allow=always",
            ])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("git runs");
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    impl Fixture {
        fn new() -> Self {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join("repo");
            std::fs::create_dir(&path).unwrap();
            git(&path, &["init", "-q"]);
            Fixture { _tmp: tmp, path, clock: 1_700_000_000 }
        }

        fn write(&self, rel: &str, content: &str) {
            let p = self.path.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }

        fn remove(&self, rel: &str) {
            git(&self.path, &["rm", "-q", rel]);
        }

        /// Commits everything as `who`, one hour after the previous commit; returns the id.
        fn commit(&mut self, who: &str, msg: &str) -> String {
            self.clock += 3600;
            let date = format!("{} +0200", self.clock);
            git(&self.path, &["add", "-A"]);
            let env = [
                ("GIT_AUTHOR_DATE", date.clone()),
                ("GIT_COMMITTER_DATE", date),
                ("GIT_AUTHOR_NAME", who.to_owned()),
                ("GIT_AUTHOR_EMAIL", format!("{}@example.com", who.to_lowercase())),
            ];
            git_env(&self.path, &["commit", "-q", "--allow-empty", "-m", msg], &env);
            self.head()
        }

        fn merge(&mut self, branch: &str, msg: &str) -> String {
            self.clock += 3600;
            let date = format!("{} +0200", self.clock);
            let env = [("GIT_AUTHOR_DATE", date.clone()), ("GIT_COMMITTER_DATE", date)];
            git_env(&self.path, &["merge", "-q", "--no-ff", "-m", msg, branch], &env);
            self.head()
        }

        fn head(&self) -> String {
            git(&self.path, &["rev-parse", "HEAD"]).trim().to_owned()
        }

        fn repo(&self) -> Repo {
            Repo::discover(&self.path).unwrap().expect("a repository")
        }
    }

    fn log_path(dir: &Path, path: &str) -> Vec<String> {
        git(dir, &["log", "--no-merges", "--format=%H", "--", path]).lines().map(str::to_owned).collect()
    }

    #[test]
    fn discover_outside_repository_is_none() {
        let tmp = tempfile::tempdir().unwrap();
        let plain = tmp.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        assert!(Repo::discover(&plain).unwrap().is_none());
    }

    #[test]
    fn discover_from_nested_folder_and_relative_paths() {
        let mut f = Fixture::new();
        f.write("data/people/alice.toml", "a");
        f.commit("Alice", "init");
        let repo = Repo::discover(&f.path.join("data/people")).unwrap().unwrap();
        assert!(!repo.is_shallow());
        let file = f.path.join("data/people/alice.toml");
        assert_eq!(repo.relative_to_workdir(&file), Some(PathBuf::from("data/people/alice.toml")));
        assert_eq!(
            repo.relative_to_workdir(&f.path.join("data/new.toml")),
            Some(PathBuf::from("data/new.toml"))
        );
        assert_eq!(repo.relative_to_workdir(f.path.parent().unwrap()), None);
        // Discovering from a file works as well.
        assert!(Repo::discover(&file).unwrap().is_some());
    }

    #[test]
    fn last_changes_per_file() {
        let mut f = Fixture::new();
        f.write("data/a.toml", "a1");
        f.write("data/sub/b.toml", "b1");
        f.write("data/gone.toml", "g");
        f.write("data/stays.toml", "s");
        f.write("other/x.txt", "x1");
        let c1 = f.commit("Alice", "initial data");
        f.write("data/a.toml", "a2");
        let c2 = f.commit("Bob", "update a\n\nwith a body");
        f.remove("data/gone.toml");
        f.write("other/x.txt", "x2");
        f.commit("Carol", "remove gone, touch other");

        // Side branch changes b; the merge commit is skipped, the branch commit counts.
        git(&f.path, &["checkout", "-q", "-b", "side"]);
        f.write("data/sub/b.toml", "b2");
        let c_side = f.commit("Dan", "side: update b");
        git(&f.path, &["checkout", "-q", "main"]);
        f.write("data/new.toml", "n");
        let c_new = f.commit("Eve", "add new");
        f.merge("side", "Merge branch 'side'");

        let repo = f.repo();
        let changes = repo.last_changes(Path::new("data")).unwrap();
        let mut keys: Vec<_> = changes.keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["data/a.toml", "data/new.toml", "data/stays.toml", "data/sub/b.toml"]
                .map(PathBuf::from)
                .to_vec()
        );
        let a = &changes[Path::new("data/a.toml")];
        assert_eq!(a.commit, c2);
        assert_eq!(a.author_name, "Bob");
        assert_eq!(a.author_email, "bob@example.com");
        assert_eq!(a.summary, "update a");
        assert_eq!(a.date.to_rfc3339(), "2023-11-15T02:13:20+02:00");
        assert_eq!(a.date.to_rfc3339(), git(&f.path, &["show", "-s", "--format=%aI", &c2]).trim());
        assert_eq!(changes[Path::new("data/sub/b.toml")].commit, c_side);
        assert_eq!(changes[Path::new("data/sub/b.toml")].author_name, "Dan");
        assert_eq!(changes[Path::new("data/new.toml")].commit, c_new);
        assert_eq!(changes[Path::new("data/stays.toml")].commit, c1);

        // Compare with git log for the whole repository.
        let all = repo.last_changes(Path::new("")).unwrap();
        assert_eq!(all.len(), 5);
        for (path, change) in &all {
            let expected =
                git(&f.path, &["log", "-1", "--no-merges", "--format=%H", "--", path.to_str().unwrap()]);
            assert_eq!(change.commit, expected.trim(), "{}", path.display());
        }
        assert!(repo.last_changes(Path::new("missing")).unwrap().is_empty());
        assert!(matches!(repo.last_changes(Path::new("../x")), Err(GitError::InvalidPath(_))));
    }

    /// ~30 commits with merges, renames-by-delete, re-adds and reverted changes.
    fn busy_history() -> Fixture {
        let mut f = Fixture::new();
        f.write("data/p/alice.toml", "0");
        f.write("data/p/bob.toml", "0");
        f.write("docs/readme.md", "0");
        f.commit("Alice", "c0");
        for i in 1..=8 {
            f.write(if i % 2 == 0 { "data/p/alice.toml" } else { "docs/readme.md" }, &i.to_string());
            f.commit("Alice", &format!("main {i}"));
        }
        git(&f.path, &["checkout", "-q", "-b", "feature"]);
        for i in 0..5 {
            f.write("data/p/bob.toml", &format!("feature {i}"));
            if i == 2 {
                f.write("data/p/alice.toml", "from feature");
            }
            f.commit("Bob", &format!("feature {i}"));
        }
        git(&f.path, &["checkout", "-q", "main"]);
        f.write("docs/readme.md", "main again");
        f.commit("Alice", "main docs");
        f.merge("feature", "merge feature");
        // A side branch whose change to alice gets reverted before the merge (TREESAME merge).
        git(&f.path, &["checkout", "-q", "-b", "revert"]);
        f.write("data/p/alice.toml", "temporary");
        f.commit("Carol", "temporary alice");
        f.write("data/p/alice.toml", "from feature");
        f.commit("Carol", "revert alice");
        git(&f.path, &["checkout", "-q", "main"]);
        f.write("docs/other.md", "x");
        f.commit("Alice", "other docs");
        f.merge("revert", "merge revert");
        for i in 0..10 {
            if i == 2 {
                f.remove("data/p/bob.toml");
            } else if i == 4 {
                f.write("data/p/bob.toml", "back");
            } else {
                f.write("data/p/alice.toml", &format!("late {i}"));
            }
            f.commit("Dan", &format!("late {i}"));
        }
        f
    }

    #[test]
    fn file_history_matches_git_log() {
        let f = busy_history();
        let repo = f.repo();
        let count: usize = git(&f.path, &["rev-list", "--count", "HEAD"]).trim().parse().unwrap();
        assert!(count >= 30, "{count}");
        for path in
            ["data/p/alice.toml", "data/p/bob.toml", "docs/readme.md", "docs", "data/p", "nothing/here"]
        {
            let ours: Vec<String> =
                repo.file_history(Path::new(path), None).unwrap().into_iter().map(|c| c.commit).collect();
            assert_eq!(ours, log_path(&f.path, path), "{path}");
        }
        // History simplification: the reverted side-branch change is hidden by git log, since
        // the merge is TREESAME to its first parent; --full-history would show it.
        let temporary = git(&f.path, &["log", "--format=%H", "--grep=temporary alice"]).trim().to_owned();
        let alice: Vec<String> = repo
            .file_history(Path::new("data/p/alice.toml"), None)
            .unwrap()
            .into_iter()
            .map(|c| c.commit)
            .collect();
        assert!(!alice.contains(&temporary));
        let full =
            git(&f.path, &["log", "--full-history", "--no-merges", "--format=%H", "--", "data/p/alice.toml"]);
        assert!(full.lines().any(|l| l == temporary));
        let limited = repo.file_history(Path::new("data/p/alice.toml"), Some(2)).unwrap();
        assert_eq!(limited.len(), 2);
        assert_eq!(limited[0].commit, log_path(&f.path, "data/p/alice.toml")[0]);
        assert_eq!(limited[0].summary, "late 9");
        assert_eq!(limited[0].author_name, "Dan");

        // last_changes agrees with git log -1 for every file in HEAD.
        let changes = repo.last_changes(Path::new("")).unwrap();
        for (path, change) in &changes {
            assert_eq!(change.commit, log_path(&f.path, path.to_str().unwrap())[0], "{}", path.display());
        }
        assert_eq!(changes.len(), 4);

        // Same with a commit-graph file.
        git(&f.path, &["commit-graph", "write", "--reachable"]);
        let repo = f.repo();
        for path in ["data/p/alice.toml", "data/p/bob.toml", "docs"] {
            let ours: Vec<String> =
                repo.file_history(Path::new(path), None).unwrap().into_iter().map(|c| c.commit).collect();
            assert_eq!(ours, log_path(&f.path, path), "{path} with commit-graph");
        }
        assert_eq!(repo.last_changes(Path::new("")).unwrap(), changes);
    }

    #[test]
    fn file_history_on_bare_repo() {
        let f = busy_history();
        let bare = f._tmp.path().join("bare.git");
        git(f._tmp.path(), &["clone", "-q", "--bare", f.path.to_str().unwrap(), bare.to_str().unwrap()]);
        let repo = Repo::discover(&bare).unwrap().expect("bare repo");
        assert!(repo.workdir().is_none());
        assert_eq!(repo.relative_to_workdir(&bare.join("x")), None);
        let ours: Vec<String> = repo
            .file_history(Path::new("data/p/bob.toml"), None)
            .unwrap()
            .into_iter()
            .map(|c| c.commit)
            .collect();
        assert_eq!(ours, log_path(&f.path, "data/p/bob.toml"));
        assert_eq!(repo.last_changes(Path::new("data")).unwrap().len(), 2);
    }

    #[test]
    fn files_at_reads_past_revisions() {
        let mut f = Fixture::new();
        f.write("data/a.toml", "a1");
        f.write("data/sub/b.toml", "b1");
        f.write("top.txt", "t");
        let c1 = f.commit("Alice", "one");
        f.write("data/a.toml", "a2");
        f.write("data/c.toml", "c2");
        f.remove("data/sub/b.toml");
        f.commit("Alice", "two");
        git(&f.path, &["tag", "-a", "-m", "tag", "v1", &c1]);
        let repo = f.repo();

        let now = repo.files_at("HEAD", Path::new("data")).unwrap();
        assert_eq!(
            now,
            vec![(PathBuf::from("a.toml"), b"a2".to_vec()), (PathBuf::from("c.toml"), b"c2".to_vec())]
        );
        let expected_old =
            vec![(PathBuf::from("a.toml"), b"a1".to_vec()), (PathBuf::from("sub/b.toml"), b"b1".to_vec())];
        for rev in [c1.as_str(), &c1[..8], "HEAD~1", "HEAD^", "main~", "v1", "v1^{commit}"] {
            assert_eq!(repo.files_at(rev, Path::new("data")).unwrap(), expected_old, "{rev}");
        }
        let root = repo.files_at("HEAD~1", Path::new("")).unwrap();
        assert_eq!(root.len(), 3);
        assert!(repo.files_at("HEAD", Path::new("nope")).unwrap().is_empty());
        assert!(matches!(repo.files_at("no-such-branch", Path::new("")), Err(GitError::Revision { .. })));
        assert!(matches!(repo.files_at("HEAD~5", Path::new("")), Err(GitError::Revision { .. })));
        for bad in ["HEAD~1é", "HEAD@{1}", "main:data", "^", "HEAD^{blob}", "HEAD^{"] {
            assert!(matches!(repo.files_at(bad, Path::new("")), Err(GitError::Revision { .. })), "{bad}");
        }
        let err = repo.files_at("no-such-branch", Path::new("")).unwrap_err();
        assert!(err.to_string().contains("no-such-branch"), "{err}");
    }

    #[test]
    fn shallow_clone_omits_unknown_dates() {
        let mut f = Fixture::new();
        f.write("data/old.toml", "o");
        f.write("data/boundary.toml", "b1");
        f.write("data/recent.toml", "r1");
        f.commit("Alice", "old");
        f.write("data/boundary.toml", "b2");
        f.commit("Bob", "boundary change");
        f.write("data/recent.toml", "r2");
        let recent = f.commit("Carol", "recent change");

        let clone = f._tmp.path().join("shallow");
        let url = format!("file://{}", f.path.display());
        git(f._tmp.path(), &["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()]);
        let repo = Repo::discover(&clone).unwrap().unwrap();
        assert!(repo.is_shallow());
        let changes = repo.last_changes(Path::new("data")).unwrap();
        let keys: Vec<_> = changes.keys().cloned().collect();
        assert_eq!(keys, vec![PathBuf::from("data/recent.toml")]);
        assert_eq!(changes[Path::new("data/recent.toml")].commit, recent);
        let history = repo.file_history(Path::new("data/boundary.toml"), None).unwrap();
        assert!(history.is_empty());
        let history = repo.file_history(Path::new("data/recent.toml"), None).unwrap();
        assert_eq!(history.len(), 1);
        assert!(!f.repo().is_shallow());
    }

    /// A longer history made with `git fast-import`, long enough for chunked
    /// reading, compared with git for every file.
    #[test]
    fn long_history_matches_git() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("long");
        std::fs::create_dir(&path).unwrap();
        git(&path, &["init", "-q"]);
        let mut stream = String::new();
        let files: Vec<String> = (0..40).map(|i| format!("data/t{}/s{}/f{i}.toml", i % 4, i % 3)).collect();
        let mut mark = 0;
        let mut time = 1_600_000_000;
        let mut commit =
            |stream: &mut String, from: Option<usize>, merge: Option<usize>, changes: &[usize], v: usize| {
                mark += 1;
                time += 60;
                stream.push_str(&format!("commit refs/heads/main\nmark :{mark}\n"));
                stream.push_str(&format!("author A <a@x> {time} +0000\ncommitter A <a@x> {time} +0000\n"));
                stream.push_str(&format!("data 3\nc{:<1}\n", v % 10));
                if let Some(from) = from {
                    stream.push_str(&format!("from :{from}\n"));
                }
                if let Some(merge) = merge {
                    stream.push_str(&format!("merge :{merge}\n"));
                }
                for &f in changes {
                    let content = format!("{} v{v}", files[f]);
                    stream.push_str(&format!(
                        "M 100644 inline {}\ndata {}\n{content}\n",
                        files[f],
                        content.len()
                    ));
                }
                mark
            };
        let all: Vec<usize> = (0..files.len()).collect();
        let mut head = commit(&mut stream, None, None, &all, 0);
        let mut side_base = head;
        for v in 1..400 {
            // Files 30.. change rarely (also right below each merge, where a stretch of history
            // that is read in one go begins), 0..30 often; every 50 commits a side branch.
            let changes = if v % 50 == 49 {
                vec![30 + (v / 50) % 10]
            } else if v % 97 == 0 {
                vec![30 + v % 10]
            } else {
                vec![(v * 7) % 30, (v * 11) % 30]
            };
            if v % 50 == 0 {
                let side = commit(&mut stream, Some(side_base), None, &[(v * 3) % 30], v);
                head = commit(&mut stream, Some(head), Some(side), &[(v * 3) % 30], v);
                side_base = head;
            } else {
                head = commit(&mut stream, Some(head), None, &changes, v);
            }
        }
        let mut child = Command::new("git")
            .current_dir(&path)
            .args(["fast-import", "--quiet"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
        git(&path, &["reset", "-q", "--hard", "main"]);

        for graph in [false, true] {
            if graph {
                git(&path, &["commit-graph", "write", "--reachable"]);
            }
            let repo = Repo::discover(&path).unwrap().unwrap();
            let log = git(&path, &["log", "--name-only", "--no-merges", "--format=@%H"]);
            let mut newest = HashMap::new();
            let mut current = "";
            for line in log.lines() {
                match line.strip_prefix('@') {
                    Some(id) => current = id,
                    None if !line.is_empty() => {
                        newest.entry(PathBuf::from(line)).or_insert(current.to_owned());
                    }
                    None => {}
                }
            }
            let changes = repo.last_changes(Path::new("")).unwrap();
            let ours: HashMap<PathBuf, String> = changes.into_iter().map(|(p, c)| (p, c.commit)).collect();
            assert_eq!(ours, newest, "graph={graph}");
            let data: HashMap<PathBuf, String> = repo
                .last_changes(Path::new("data/t1"))
                .unwrap()
                .into_iter()
                .map(|(p, c)| (p, c.commit))
                .collect();
            assert_eq!(data.len(), 10);
            assert!(data.iter().all(|(p, c)| &newest[p] == c));
            for f in [&files[0], &files[7], &files[31], &files[39]] {
                let ours: Vec<String> =
                    repo.file_history(Path::new(f), None).unwrap().into_iter().map(|c| c.commit).collect();
                assert_eq!(ours, log_path(&path, f), "{f} graph={graph}");
            }
        }
    }
}
