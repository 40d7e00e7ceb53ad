// Keeps "on call now" right for a site built days ago: reads the shipped
// schedule and corrects the home page and the shift tables. Without
// JavaScript the build-time answer stays.
(function () {
  "use strict";
  var hero = document.getElementById("now");
  var rows = document.querySelectorAll("tr[data-start]");
  var now = Date.now();
  rows.forEach(function (row) {
    var start = Date.parse(row.dataset.start), end = Date.parse(row.dataset.end);
    row.classList.remove("past", "current", "upcoming");
    row.classList.add(end <= now ? "past" : start <= now ? "current" : "upcoming");
  });
  if (!hero || !window.fetch) return;
  fetch(hero.dataset.schedule).then(function (r) { return r.json(); }).then(function (data) {
    var current = data.shifts.find(function (s) {
      return Date.parse(s.start) <= now && now < Date.parse(s.end);
    });
    if (!current || current.id === hero.dataset.shift) return;
    hero.querySelectorAll(".oncall .name").forEach(function (n) { n.remove(); });
    var root = hero.dataset.schedule.replace(/api\/schedule\.json$/, "");
    var person = hero.querySelector(".now-person");
    if (person) {
      person.textContent = "";
      if (current.person) {
        var a = document.createElement("a");
        a.className = "person";
        a.href = root + "people/" + current.person + "/";
        a.textContent = "@" + current.person;
        person.appendChild(a);
      } else {
        var gap = document.createElement("span");
        gap.className = "gap";
        gap.textContent = "nobody yet";
        person.appendChild(gap);
        var signUp = document.createElement("a");
        signUp.className = "sign-up";
        signUp.href = root + "schedule/#sign-up";
        signUp.textContent = "sign up";
        person.appendChild(document.createTextNode(" "));
        person.appendChild(signUp);
      }
    }
    var until = hero.querySelector(".until time");
    if (until) {
      until.dateTime = current.end;
      until.textContent = new Date(current.end).toLocaleString(undefined, {
        weekday: "short", day: "numeric", month: "short", year: "numeric",
        hour: "2-digit", minute: "2-digit", timeZone: data.timezone, timeZoneName: "short"
      }) + " (" + data.timezone + ")";
      var rest = hero.querySelector(".until .muted");
      if (rest) rest.textContent = new Date(current.end).toUTCString();
    }
    var link = hero.querySelector(".shift-link");
    if (link) {
      link.href = root + "shifts/" + current.id + "/";
      link.textContent = "This shift: " + current.id;
    }
    var built = hero.querySelector(".built");
    if (built) built.textContent = "Checked in your browser at " + new Date(now).toLocaleString() + ".";
  }).catch(function () { /* keep the build-time answer */ });
})();
