/* Banners after a form was sent (Django messages, templates/base.html) are
   live regions: role="status", or role="alert" for errors. Screen readers
   announce a live region when its content changes, not when the page that
   holds it loads, so once the page has loaded (and the reader has started on
   it) each banner's content is put back in place: the same words, unchanged
   on screen, now announced. Without JavaScript the banner is still the first
   thing in <main>. */
(function () {
  "use strict";

  function announce() {
    document.querySelectorAll("[data-announce]").forEach(function (region) {
      var copies = Array.prototype.map.call(region.childNodes, function (node) {
        return node.cloneNode(true);
      });
      region.replaceChildren.apply(region, copies);
    });
  }

  window.addEventListener("load", function () {
    window.setTimeout(announce, 500);
  });
})();
