// quotacert employer pages: cascading region selects and upload progress. Everything works without
// this file (the "refresh" button redraws the form; the file goes with the form on submit).
"use strict";
(function () {
  function byId(id) { return document.getElementById(id); }

  function fill(select, items, placeholder, keep) {
    select.textContent = "";
    var first = document.createElement("option");
    first.value = ""; first.textContent = placeholder;
    select.appendChild(first);
    items.forEach(function (it) {
      var o = document.createElement("option");
      o.value = it.code; o.textContent = it.name;
      if (it.code === keep) { o.selected = true; }
      select.appendChild(o);
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function regionSelects() {
    var province = byId("province"), city = byId("city"), district = byId("district");
    var fed = byId("federationOffice"), tax = byId("taxOffice");
    if (!province || !city || !district || !fed || !tax) { return; }
    document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });

    function scope() { return district.value || city.value || province.value; }
    // Each list is filled from the answer to the latest request only: an answer to an earlier
    // choice that arrives late (a quick change of mind, a slow network) must not overwrite the
    // list of the current one. A list filled again keeps a choice that is still in it.
    var latest = { city: 0, district: 0, offices: 0 };
    function load(list, url, then) {
      var n = ++latest[list];
      getJSON(url).then(function (d) { if (n === latest[list]) { then(d); } });
    }
    function offices() {
      var region = encodeURIComponent(scope());
      var n = ++latest.offices;
      getJSON("/api/v1/offices?kind=federation&region=" + region).then(function (d) {
        if (n === latest.offices) { fill(fed, d.items, "请选择残联主管部门", fed.value); }
      });
      getJSON("/api/v1/offices?kind=tax&region=" + region).then(function (d) {
        if (n === latest.offices) { fill(tax, d.items, "请选择税务主管部门", tax.value); }
      });
    }
    province.addEventListener("change", function () {
      latest.district++;
      fill(district, [], "请选择区县", "");
      if (!province.value) { latest.city++; fill(city, [], "请选择市", ""); offices(); return; }
      load("city", "/api/v1/regions?parent=" + encodeURIComponent(province.value), function (d) {
        fill(city, d.items, "请选择市", city.value); offices();
      });
    });
    city.addEventListener("change", function () {
      if (!city.value) { latest.district++; fill(district, [], "请选择区县", ""); offices(); return; }
      load("district", "/api/v1/regions?parent=" + encodeURIComponent(city.value), function (d) {
        fill(district, d.items, "请选择区县", district.value); offices();
      });
    });
    district.addEventListener("change", offices);
  }

  // Upload the chosen file at once, showing progress, and add it to the list as a kept attachment.
  function uploads() {
    var input = document.querySelector("input[data-upload]");
    var list = byId("file-list"), status = byId("upload-status"), bar = byId("upload-progress");
    if (!input || !list || !status || !bar || !window.FormData) { return; }
    input.addEventListener("change", function () {
      if (!input.files || !input.files.length) { return; }
      var file = input.files[0];
      var data = new FormData();
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/files");
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false; bar.value = 0;
      status.textContent = "正在上传 " + file.name + " …";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
      });
      xhr.addEventListener("load", function () {
        bar.hidden = true;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status === 201 && body) {
          var li = document.createElement("li");
          var label = document.createElement("label");
          var box = document.createElement("input");
          box.type = "checkbox"; box.name = "fileIds"; box.value = body.id; box.checked = true;
          label.appendChild(box);
          label.appendChild(document.createTextNode(" 保留 " + body.name));
          li.appendChild(label);
          list.appendChild(li);
          input.value = "";
          input.removeAttribute("aria-invalid");
          status.textContent = "已上传：" + body.name;
        } else {
          var msg = body && body.error ? body.error.message : "上传失败，请重试";
          status.textContent = msg;
          input.setAttribute("aria-invalid", "true");
          input.value = "";
        }
      });
      xhr.addEventListener("error", function () {
        bar.hidden = true;
        status.textContent = "网络中断，上传失败，请重试";
        input.value = "";
      });
      xhr.send(data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { regionSelects(); uploads(); });
})();
