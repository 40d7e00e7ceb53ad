// The search box in the header. `rota build --search` writes a Pagefind
// index into pagefind/; its script and the index chunks a query needs load
// only when the box is first used. A site built without the index (or seen
// without JavaScript) keeps the box hidden. `?q=words` opens with a search.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form || !window.fetch || !window.URL || !window.URLSearchParams) return;
  var input = form.querySelector("input[name=q]");
  var panel = form.querySelector(".search-results");
  var root = new URL(form.dataset.root, location.href);
  var bundle = new URL("pagefind/", root);
  var PAGE = 8;
  var pagefind = null, wanted = 0, shown = 0, current = null;

  // The entry file is tiny and the first thing Pagefind reads anyway.
  fetch(new URL("pagefind-entry.json", bundle)).then(function (r) {
    if (!r.ok) return;
    form.hidden = false;
    var q = new URLSearchParams(location.search).get("q");
    if (q) {
      input.value = q;
      search(q, 0);
    }
  }).catch(function () {});

  // noWorker: a query over this index takes milliseconds on the page, and
  // it saves fetching Pagefind's worker script as well.
  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind.js", bundle).href).then(function (pf) {
        return pf.options({ baseUrl: root.pathname, excerptLength: 24, noWorker: true }).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  function search(q, delay) {
    var ticket = ++wanted;
    if (!q.trim()) {
      close();
      return;
    }
    load().then(function (pf) {
      return delay ? pf.debouncedSearch(q, {}, delay) : pf.search(q);
    }).then(function (found) {
      if (!found || ticket !== wanted) return;
      current = found.results;
      shown = 0;
      panel.textContent = "";
      var count = document.createElement("p");
      count.className = "search-count";
      count.textContent = current.length ? current.length + " result" + (current.length === 1 ? "" : "s") : "No results for \u201c" + q + "\u201d";
      panel.appendChild(count);
      panel.appendChild(document.createElement("ol"));
      panel.classList.add("open");
      return more(ticket);
    }).catch(function () {
      panel.textContent = "Search is unavailable.";
      panel.classList.add("open");
    });
  }

  // Fetches the fragments of the next few results only.
  function more(ticket) {
    var list = panel.querySelector("ol");
    var next = current.slice(shown, shown + PAGE);
    shown += next.length;
    var old = panel.querySelector("button.search-more");
    if (old) old.remove();
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (pages) {
      if (ticket !== wanted) return;
      pages.forEach(function (page) { list.appendChild(item(page)); });
      if (shown < current.length) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "search-more";
        button.textContent = "More results";
        button.addEventListener("click", function () { more(wanted); });
        panel.appendChild(button);
      }
    });
  }

  function item(page) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = page.url;
    var kind = page.meta.kind;
    if (kind) {
      var badge = document.createElement("span");
      badge.className = "search-kind k-" + kind;
      badge.textContent = kind;
      a.appendChild(badge);
      a.appendChild(document.createTextNode(" "));
    }
    a.appendChild(document.createTextNode(page.meta.title || page.url));
    li.appendChild(a);
    var p = document.createElement("p");
    excerpt(page.excerpt, p);
    li.appendChild(p);
    return li;
  }

  // Pagefind's excerpt is text with <mark> around the hits: keep only those,
  // parsed in an inert document, so nothing from a page becomes markup here.
  function excerpt(html, into) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        into.appendChild(mark);
      } else {
        into.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function close() {
    panel.classList.remove("open");
    panel.textContent = "";
  }

  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", function () { search(input.value, 150); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    search(input.value, 0);
    var url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") close();
  });
  document.addEventListener("click", function (e) {
    if (!form.contains(e.target)) close();
  });
})();
