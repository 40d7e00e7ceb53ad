//! The runbook's navigation tree: a node per folder URL, children ordered by
//! weight (pages without one come last), then title. Folders with no page of
//! their own still group their pages, under the folder's name.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::html::escape as escape_html;

use super::ROOT;
use super::links::percent_encode;

#[derive(Debug)]
struct Node {
    url: String,
    /// The page shown at this URL; `None` for a folder without one.
    page: Option<usize>,
    title: String,
    weight: Option<i64>,
    children: Vec<usize>,
}

#[derive(Debug)]
pub struct Tree {
    /// `nodes[0]` is the root, `runbook/`.
    nodes: Vec<Node>,
    /// Node of each page, by page index.
    page_nodes: Vec<usize>,
    by_url: HashMap<String, usize>,
}

impl Tree {
    /// Pages given as (URL, title, weight). When no page is at `runbook/`, a
    /// made-up index page is added as page number `pages.len()`.
    pub fn build(pages: &[(String, String, Option<i64>)]) -> Tree {
        let mut nodes = vec![Node {
            url: ROOT.to_string(),
            page: None,
            title: "Runbook".to_string(),
            weight: None,
            children: Vec::new(),
        }];
        let mut by_url: HashMap<String, usize> = HashMap::from([(ROOT.to_string(), 0)]);
        let mut page_nodes = Vec::with_capacity(pages.len() + 1);
        for (i, (url, title, weight)) in pages.iter().enumerate() {
            let n = node_for(&mut nodes, &mut by_url, url);
            // Two pages at one URL are reported elsewhere; the first one wins.
            if nodes[n].page.is_none() {
                nodes[n].page = Some(i);
                nodes[n].title = title.clone();
                nodes[n].weight = *weight;
            }
            page_nodes.push(n);
        }
        if nodes[0].page.is_none() {
            nodes[0].page = Some(pages.len());
            page_nodes.push(0);
        }
        let keys: Vec<(Option<i64>, String, String)> =
            nodes.iter().map(|n| (n.weight, n.title.to_lowercase(), n.url.clone())).collect();
        for node in &mut nodes {
            node.children.sort_by(|&a, &b| {
                let (wa, ta, ua) = &keys[a];
                let (wb, tb, ub) = &keys[b];
                (wa.is_none(), wa, ta, ua).cmp(&(wb.is_none(), wb, tb, ub))
            });
        }
        Tree { nodes, page_nodes, by_url }
    }

    /// Every page, depth first: a page, then the pages under it.
    pub fn reading_order(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.page_nodes.len());
        let mut stack = vec![0];
        while let Some(n) = stack.pop() {
            if let Some(p) = self.nodes[n].page {
                out.push(p);
            }
            stack.extend(self.nodes[n].children.iter().rev());
        }
        out
    }

    /// The pages above page `i`, the root first.
    pub fn page_ancestors(&self, page: usize) -> Vec<usize> {
        let mut url = self.nodes[self.page_nodes[page]].url.as_str();
        let mut out = Vec::new();
        while let Some(parent) = parent_url(url) {
            if let Some(&n) = self.by_url.get(parent)
                && let Some(p) = self.nodes[n].page
            {
                out.push(p);
            }
            url = &url[..parent.len()];
        }
        out.reverse();
        out
    }

    /// The navigation as nested lists; links are relative to `runbook/`, so
    /// the same markup serves every page once its base is prefixed.
    pub fn html(&self) -> String {
        let mut out = String::from("<ul>");
        let root = &self.nodes[0];
        let _ = write!(out, "<li><a href=\"./\">{}</a></li>", escape_html(&root.title));
        for &c in &root.children {
            self.item(c, &mut out);
        }
        out.push_str("</ul>");
        out
    }

    fn item(&self, n: usize, out: &mut String) {
        let node = &self.nodes[n];
        let title = escape_html(&node.title);
        match node.page {
            Some(_) => {
                let href = percent_encode(&node.url[ROOT.len()..]);
                let _ = write!(out, "<li><a href=\"{}\">{title}</a>", escape_html(&href));
            }
            None => {
                let _ = write!(out, "<li><span>{title}</span>");
            }
        }
        if !node.children.is_empty() {
            out.push_str("<ul>");
            for &c in &node.children {
                self.item(c, out);
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>");
    }
}

/// `runbook/a/b/` → `runbook/a/`; `None` for the root.
fn parent_url(url: &str) -> Option<&str> {
    if url == ROOT {
        return None;
    }
    let trimmed = url.trim_end_matches('/');
    trimmed.rfind('/').map(|i| &url[..=i])
}

/// The node for `url`, made with its missing ancestors.
fn node_for(nodes: &mut Vec<Node>, by_url: &mut HashMap<String, usize>, url: &str) -> usize {
    if let Some(&n) = by_url.get(url) {
        return n;
    }
    let parent = node_for(nodes, by_url, parent_url(url).unwrap_or(ROOT));
    let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
    nodes.push(Node {
        url: url.to_string(),
        page: None,
        title: name.to_string(),
        weight: None,
        children: Vec::new(),
    });
    let n = nodes.len() - 1;
    nodes[parent].children.push(n);
    by_url.insert(url.to_string(), n);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, title: &str, weight: Option<i64>) -> (String, String, Option<i64>) {
        (url.to_string(), title.to_string(), weight)
    }

    #[test]
    fn orders_by_weight_then_title_depth_first() {
        let pages = [
            page("runbook/b/", "Bravo", None),
            page("runbook/a/", "Alpha", None),
            page("runbook/", "Home", Some(0)),
            page("runbook/z/", "Zulu", Some(1)),
            page("runbook/z/y/", "Yankee", None),
            page("runbook/z/x/", "X-ray", Some(5)),
            page("runbook/loose/deep/", "Deep", None),
        ];
        let tree = Tree::build(&pages);
        let titles: Vec<&str> = tree.reading_order().iter().map(|&i| pages[i].1.as_str()).collect();
        assert_eq!(titles, ["Home", "Zulu", "X-ray", "Yankee", "Alpha", "Bravo", "Deep"]);
        assert_eq!(tree.page_ancestors(5), [2, 3]);
        assert_eq!(tree.page_ancestors(6), [2]);
        let html = tree.html();
        assert!(
            html.starts_with("<ul><li><a href=\"./\">Home</a></li><li><a href=\"z/\">Zulu</a><ul>"),
            "{html}"
        );
        assert!(
            html.contains("<li><span>loose</span><ul><li><a href=\"loose/deep/\">Deep</a></li></ul></li>")
        );
    }

    #[test]
    fn makes_up_a_root_page() {
        let pages = [page("runbook/a/", "<A>", None)];
        let tree = Tree::build(&pages);
        assert_eq!(tree.reading_order(), [1, 0]);
        assert!(tree.html().contains("&lt;A&gt;"));
    }
}
