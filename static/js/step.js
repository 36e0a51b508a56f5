/* Section steps: show conditional questions as their trigger changes, and the risk of a choice
   as soon as it is picked. The server does the same after every save, so this is a convenience:
   without JavaScript the page still works. */
(function () {
  "use strict";
  var form = document.querySelector("[data-step-form]");
  if (!form) return;
  // The levels' order and words come from the page (checklist.vocabulary), never from a copy here.
  var source = document.getElementById("risk-levels");
  var LEVELS = source ? JSON.parse(source.textContent) : {};
  function rank(level) { return LEVELS[level] ? LEVELS[level].rank : 0; }

  function inputsOf(code) {
    return form.querySelectorAll('[name="q__' + code + '"]');
  }
  function selected(code) {
    var values = [];
    inputsOf(code).forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && input.checked) values.push(input.value);
    });
    return values;
  }
  function questionBox(code) {
    return form.querySelector('[data-question="' + code + '"]');
  }

  function updateVisibility() {
    form.querySelectorAll("[data-depends-on]").forEach(function (box) {
      var trigger = box.getAttribute("data-depends-on");
      if (!inputsOf(trigger).length) return; // trigger on another step: the server decided
      var triggerBox = questionBox(trigger);
      var wanted = box.getAttribute("data-depends-values").split(" ");
      var show = (!triggerBox || !triggerBox.hidden) && selected(trigger).some(function (v) { return wanted.indexOf(v) !== -1; });
      box.hidden = !show;
    });
  }

  function updateRisk(box) {
    var levels = {};
    (box.getAttribute("data-levels") || "").split(" ").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2) levels[parts[0]] = parts[1];
    });
    var worst = "none";
    selected(box.getAttribute("data-question")).forEach(function (v) {
      if (rank(levels[v]) > rank(worst)) worst = levels[v];
    });
    var live = box.querySelector("[data-live-risk]");
    if (!live) return;
    live.className = live.className.replace(/\bis-\S+/g, "").trim() + " is-" + worst;
    var named = flagsOf(box).map(function (flag) { return flag.text; }).join(" ");
    live.textContent = LEVELS[worst] && LEVELS[worst].live ? LEVELS[worst].live + (named ? " " + named : "") : "";
  }

  // The concerns the picked choices of a question raise, as the choices' data-flag names them.
  function flagsOf(box) {
    if (box.hidden) return [];
    var levels = {};
    (box.getAttribute("data-levels") || "").split(" ").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2) levels[parts[0]] = parts[1];
    });
    var found = [];
    inputsOf(box.getAttribute("data-question")).forEach(function (input) {
      var flag = input.getAttribute("data-flag");
      if (input.checked && flag && rank(levels[input.value]) > 0) found.push({ level: levels[input.value], text: flag });
    });
    return found;
  }

  // The flags panel follows the answers on the page as they change; flags raised by several
  // answers together (rules) are worked out by the server on saving and stay as it listed them.
  function updatePanel() {
    var list = document.querySelector("[data-flag-list]");
    if (!list) return;
    list.querySelectorAll("li:not([data-rule])").forEach(function (item) { item.remove(); });
    var flags = [];
    form.querySelectorAll("[data-question]").forEach(function (box) { flags = flags.concat(flagsOf(box)); });
    flags.sort(function (a, b) { return rank(b.level) - rank(a.level); });
    flags.forEach(function (flag) {
      var item = document.createElement("li");
      item.className = "finding finding-" + flag.level;
      var badge = document.createElement("span");
      badge.className = "badge risk-badge " + LEVELS[flag.level].badge;
      badge.textContent = LEVELS[flag.level].label;
      var text = document.createElement("span");
      text.className = "small fw-semibold";
      text.textContent = flag.text;
      item.append(badge, " ", text);
      list.insertBefore(item, list.querySelector("li[data-rule]"));
    });
    var empty = document.querySelector("[data-flags-empty]");
    if (empty) empty.hidden = list.children.length > 0;
  }

  // "None of these" stands alone: ticking it unticks the others, ticking another unticks it.
  // The server refuses the mix anyway (checklist.spec.clean_answer).
  function untickAcrossExclusive(input) {
    if (input.type !== "checkbox" || !input.checked) return;
    var exclusive = input.hasAttribute("data-exclusive");
    inputsOf(input.name.slice(3)).forEach(function (other) {
      if (other !== input && other.checked && (exclusive || other.hasAttribute("data-exclusive"))) {
        other.checked = false;
      }
    });
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (name.indexOf("q__") !== 0) return;
    untickAcrossExclusive(event.target);
    var box = questionBox(name.slice(3));
    if (box) updateRisk(box);
    // Repeat so that a chain of conditions settles (a hidden trigger hides its dependants).
    for (var i = 0; i < 3; i++) updateVisibility();
    updatePanel();
  });
  updateVisibility();
})();
