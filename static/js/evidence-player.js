// The raised-voice segments of a recording's analysis make the page's player jump:
// a link with data-evidence-seek="SECONDS" seeks <audio data-evidence-player> and plays.
(function () {
  "use strict";
  if (window.mamoruEvidenceSeek) return;
  window.mamoruEvidenceSeek = true;
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-evidence-seek]");
    if (!link) return;
    var player = document.querySelector("audio[data-evidence-player], video[data-evidence-player]");
    if (!player) return;
    event.preventDefault();
    var seconds = parseFloat(link.getAttribute("data-evidence-seek"));
    if (!isFinite(seconds) || seconds < 0) return;
    player.scrollIntoView({ block: "nearest" });
    var seek = function () {
      player.currentTime = seconds;
      var playing = player.play();
      if (playing && playing.catch) playing.catch(function () { player.focus(); });
    };
    if (!player.currentSrc) {
      // No source yet (the purpose of playing is asked first): seek once it loads.
      player.addEventListener("loadedmetadata", seek, { once: true });
      player.focus();
      return;
    }
    if (player.readyState >= 1) seek();
    else player.addEventListener("loadedmetadata", seek, { once: true });
  });
})();
