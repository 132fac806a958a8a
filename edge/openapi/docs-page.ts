// /docs: one self-contained HTML page (no CDN, no external file) that reads /openapi.json and
// renders every operation with its parameters, body and responses, plus a try-it form that
// sends the request from the browser and shows the answer.
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>refseg API</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1d2330; color: #fff; padding: 14px 24px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0 12px 0 0; }
  header input { width: 28em; max-width: 90vw; padding: 4px 6px; font: inherit; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 64px; }
  h2 { margin: 28px 0 8px; font-size: 17px; }
  details.op { background: #fff; border: 1px solid #d9dde5; border-radius: 6px; margin: 6px 0; }
  details.op > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: baseline; }
  .m { font: 600 12px ui-monospace, monospace; text-transform: uppercase; padding: 2px 6px; border-radius: 4px; color: #fff; min-width: 4em; text-align: center; }
  .get { background: #2f7d4f; } .post { background: #2357a6; } .put { background: #8a5a00; } .delete { background: #b03a2e; }
  .path { font-family: ui-monospace, monospace; }
  .body { padding: 4px 16px 16px; border-top: 1px solid #eceef2; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0; }
  td, th { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eceef2; vertical-align: top; font-size: 14px; }
  pre { background: #f1f3f6; padding: 8px; overflow: auto; max-height: 360px; font-size: 12.5px; }
  textarea { width: 100%; min-height: 90px; font: 12.5px ui-monospace, monospace; }
  form label { display: block; margin: 4px 0; }
  form input[type=text] { width: 60%; font: inherit; padding: 2px 4px; }
  button { font: inherit; padding: 4px 14px; margin-top: 6px; cursor: pointer; }
  .muted { color: #667; }
</style>
</head>
<body>
<header><h1>refseg API</h1>
  <label>Bearer token <input id="token" type="password" placeholder="rsk_… (tenant key) or the admin key"></label>
  <a href="openapi.json" style="color:#9cf">openapi.json</a>
</header>
<main id="root"><p class="muted">Loading /openapi.json …</p></main>
<script>
"use strict";
const base = location.pathname.replace(/\\/docs\\/?$/, "");
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === "class" ? (e.className = v) : e.setAttribute(k, v);
  for (const k of kids) e.append(k instanceof Node ? k : String(k));
  return e;
};
const json = (v) => JSON.stringify(v, null, 2);
const tokenInput = document.getElementById("token");
tokenInput.value = sessionStorage.getItem("refseg-token") || "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("refseg-token", tokenInput.value));

function example(schema) {
  if (!schema || typeof schema !== "object") return null;
  if ("default" in schema) return schema.default;
  if (schema.anyOf) return example(schema.anyOf[0]);
  if (schema.type === "object") {
    const out = {};
    for (const k of schema.required || []) out[k] = example(schema.properties[k]);
    return out;
  }
  if (schema.type === "array") return schema.prefixItems ? schema.prefixItems.map(example) : [];
  if (schema.enum) return schema.enum[0];
  return { string: "", number: 0, integer: 0, boolean: false }[schema.type] ?? null;
}

function tryIt(path, method, op) {
  const form = el("form");
  const inputs = [];
  for (const p of op.parameters || []) {
    if (p.in === "header") continue;
    const input = el("input", { type: "text", name: p.name, placeholder: p.schema && "default" in p.schema ? String(p.schema.default) : "" });
    inputs.push([p, input]);
    form.append(el("label", {}, p.in + " ", el("b", {}, p.name), p.required ? " *" : "", " ", input));
  }
  const content = op.requestBody ? op.requestBody.content : null;
  let bodyKind = null, bodyInput = null;
  if (content) {
    const types = Object.keys(content);
    const select = el("select");
    for (const t of types) select.append(el("option", { value: t }, t));
    const slot = el("div");
    const render = () => {
      slot.replaceChildren();
      bodyKind = select.value;
      const schema = content[bodyKind].schema || {};
      if (bodyKind === "multipart/form-data") {
        bodyInput = {};
        for (const [name, s] of Object.entries(schema.properties || {})) {
          const isFile = s.format === "binary" || s.contentMediaType || (s.type === "array" && s.items && s.items.format === "binary");
          const input = isFile ? el("input", { type: "file", multiple: "" }) : el("textarea", { placeholder: s.description || "" });
          bodyInput[name] = input;
          slot.append(el("label", {}, "part ", el("b", {}, name), " ", input));
        }
      } else if (bodyKind === "application/json") {
        bodyInput = el("textarea");
        bodyInput.value = json(example(schema));
        slot.append(bodyInput);
      } else {
        bodyInput = el("input", { type: "file" });
        slot.append(el("label", {}, "file ", bodyInput));
      }
    };
    select.addEventListener("change", render);
    render();
    form.append(el("label", {}, "body ", select), slot);
  }
  const out = el("pre", { class: "muted" }, "(response appears here)");
  form.append(el("button", { type: "submit" }, "Send"), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    let url = base + path;
    const query = new URLSearchParams();
    for (const [p, input] of inputs) {
      if (!input.value) continue;
      if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(input.value));
      else query.append(p.name, input.value);
    }
    if ([...query].length) url += "?" + query;
    const headers = {};
    if (tokenInput.value) headers.Authorization = "Bearer " + tokenInput.value;
    let body;
    if (bodyKind === "multipart/form-data") {
      body = new FormData();
      for (const [name, input] of Object.entries(bodyInput)) {
        if (input.type === "file") for (const f of input.files) body.append(name, f);
        else if (input.value) body.append(name, input.value);
      }
    } else if (bodyKind === "application/json") {
      headers["Content-Type"] = "application/json";
      body = bodyInput.value;
    } else if (bodyKind) {
      const f = bodyInput.files[0];
      if (f) { headers["Content-Type"] = f.type || bodyKind; body = f; }
    }
    out.textContent = method.toUpperCase() + " " + url + " …";
    try {
      const res = await fetch(url, { method: method.toUpperCase(), headers, body });
      const text = await res.text();
      let shown = text;
      try { shown = json(JSON.parse(text)); } catch {}
      out.textContent = res.status + " " + res.statusText + "\\n" + [...res.headers].map(([k, v]) => k + ": " + v).join("\\n") + "\\n\\n" + shown;
    } catch (err) {
      out.textContent = "Request failed: " + err;
    }
  });
  return form;
}

function operation(path, method, op) {
  const body = el("div", { class: "body" });
  if (op.description) body.append(el("p", {}, op.description));
  body.append(el("p", { class: "muted" }, "operationId ", el("code", {}, op.operationId), " · access: " + op["x-access"]));
  const params = (op.parameters || []).filter((p) => p.in !== "header");
  if (params.length) {
    const t = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "schema"), el("th", {}, "description")));
    for (const p of params) t.append(el("tr", {}, el("td", {}, p.name + (p.required ? " *" : "")), el("td", {}, p.in), el("td", {}, el("code", {}, json(p.schema))), el("td", {}, p.description || "")));
    body.append(el("h4", {}, "Parameters"), t);
  }
  if (op.requestBody) {
    body.append(el("h4", {}, "Request body"));
    for (const [type, c] of Object.entries(op.requestBody.content)) body.append(el("div", {}, el("b", {}, type)), el("pre", {}, json(c.schema)));
  }
  body.append(el("h4", {}, "Responses"));
  for (const [status, r] of Object.entries(op.responses)) {
    const d = el("details", {}, el("summary", {}, status + " — " + r.description));
    for (const [type, c] of Object.entries(r.content || {})) d.append(el("div", {}, el("b", {}, type)), el("pre", {}, json(c.schema)));
    body.append(d);
  }
  body.append(el("h4", {}, "Try it"), tryIt(path, method, op));
  return el("details", { class: "op" }, el("summary", {}, el("span", { class: "m " + method }, method), el("span", { class: "path" }, path), el("span", { class: "muted" }, op.summary)), body);
}

fetch(base + "/openapi.json").then((r) => r.json()).then((doc) => {
  const root = document.getElementById("root");
  root.replaceChildren(el("p", {}, doc.info.description));
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ["Other"])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(path, method, op));
    }
  }
  for (const [tag, ops] of byTag) root.append(el("h2", {}, tag), ...ops);
}, (err) => { document.getElementById("root").textContent = "Cannot load /openapi.json: " + err; });
</script>
</body>
</html>
`;
