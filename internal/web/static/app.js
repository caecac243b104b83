// quotacert: small progressive enhancements only; every core flow works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the first field reported invalid so keyboard and screen-reader users land on it.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) { invalid.focus(); }
  // Print buttons (hidden without script: the browser's own print works everywhere).
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // The captcha: "换一张" fetches a new challenge in place (the typed values stay, nothing reloads) and
  // the live region says so; "播放语音验证码" plays the spoken digits on the page. Without this
  // script the first posts the form back with the values kept, the second opens the sound file.
  var boxes = document.querySelectorAll("[data-captcha]");
  if (!boxes.length) { return; }
  function announce(text) {
    boxes.forEach(function (box) {
      var s = box.querySelector("[data-captcha-status]");
      if (s) { s.textContent = ""; window.setTimeout(function () { s.textContent = text; }, 50); }
    });
  }
  function refresh(focusBox) {
    fetch("/api/v1/captcha", {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (res) {
        if (!res.ok) {
          announce((res.body.error && res.body.error.message) || "验证码获取失败，请稍后再试");
          return;
        }
        // Both login forms share one challenge: update every captcha on the page.
        boxes.forEach(function (box) {
          var img = box.querySelector("img.captcha-image");
          if (img) { img.src = res.body.image; }
          var id = box.querySelector('input[name="captchaId"]');
          if (id) { id.value = res.body.id; }
          var audio = box.querySelector("[data-captcha-audio]");
          if (audio) { audio.href = res.body.audio; }
          var input = box.querySelector('input[name="captcha"]');
          if (input) { input.value = ""; }
        });
        announce("已更换验证码，请输入新图片中的 5 位数字，或点击“播放语音验证码”收听。");
        var input = focusBox.querySelector('input[name="captcha"]');
        if (input) { input.focus(); }
      })
      .catch(function () { announce("验证码获取失败，请检查网络后再试"); });
  }
  var playing = null;
  boxes.forEach(function (box) {
    var btn = box.querySelector("[data-captcha-refresh]");
    if (btn) {
      btn.addEventListener("click", function (ev) { ev.preventDefault(); refresh(box); });
    }
    var link = box.querySelector("[data-captcha-audio]");
    if (link) {
      link.setAttribute("role", "button");
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        if (playing) { playing.pause(); }
        playing = new Audio(link.href);
        announce("正在播放语音验证码：三声提示音后朗读 5 位数字。");
        playing.play().catch(function () { window.location.href = link.href; });
      });
      link.addEventListener("keydown", function (ev) {
        if (ev.key === " ") { ev.preventDefault(); link.click(); }
      });
    }
  });
});
