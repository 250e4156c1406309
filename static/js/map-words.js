// Counts and dates in the page's language, for the map's scripts. Month names and date
// patterns come from the server, out of CLDR: browsers may lack a language's calendar data.
(function () {
  "use strict";

  // `dates`: the page's month names and patterns ({year}, {month} and {day} in each).
  window.mapperWords = function (dates) {
    var lang = document.documentElement.lang || "en";
    var numbers = new Intl.NumberFormat(lang), plurals = new Intl.PluralRules(lang);
    return {
      number: function (n) { return numbers.format(n); },
      // The sentence for `n` in its plural form, from an element's data-label-<name>-one or
      // data-label-<name>-other (`labels`: its dataset), "{count}" in each.
      count: function (n, labels, name) {
        var form = plurals.select(n) === "one" ? "One" : "Other";
        return labels["label" + name.charAt(0).toUpperCase() + name.slice(1) + form]
          .replace("{count}", numbers.format(n));
      },
      // The calendar date an ISO date or time names, in one of the patterns "month" (a whole
      // month), "monthShort", "day" or "dayMonth".
      date: function (iso, pattern) {
        var month = Number(iso.slice(5, 7)) - 1;
        return dates[pattern].replace("{year}", iso.slice(0, 4))
          .replace("{month}", (pattern === "month" ? dates.months : dates.monthsShort)[month])
          .replace("{day}", String(Number(iso.slice(8, 10))));
      },
      // A month's name on its own, abbreviated.
      monthAlone: function (iso) { return dates.monthsAlone[Number(iso.slice(5, 7)) - 1]; },
    };
  };
})();
