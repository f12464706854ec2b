// A minimal browser kernel worker for tests: it installs the host kernel-lib expects on
// globalThis[Symbol.for("gradient-lab.host")] (outputs posted to the page, assets read with a
// synchronous XHR from /lib/), loads kernel-lib.js and tslab.js as the real kernel does (each file's
// text is the body of a function (module, exports, require)), then runs the code the page sends:
// { id, code } → { kind: "result", id, value } or { kind: "result", id, error }.

function readAsset(name) {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", "/lib/" + encodeURIComponent(name), false);
  xhr.responseType = "arraybuffer";
  xhr.send();
  if (xhr.status !== 200) throw new Error("readAsset: /lib/" + name + " answered HTTP " + xhr.status);
  return new Uint8Array(xhr.response);
}

globalThis[Symbol.for("gradient-lab.host")] = {
  display(message, update) {
    postMessage({ kind: "display", message, update });
  },
  readAsset,
  versions: { tslab: "test host", typescript: "none", node: "none (a browser)" },
};

function load(name) {
  const text = new TextDecoder().decode(readAsset(name));
  const module = { exports: {} };
  const require = (id) => {
    throw new Error(name + " asked for the module " + id + "; it must be self-contained");
  };
  new Function("module", "exports", "require", text + "\n//# sourceURL=" + name)(
    module,
    module.exports,
    require,
  );
  return module.exports;
}

const lib = load("kernel-lib.js");
const tslab = load("tslab.js");

onmessage = async (event) => {
  const { id, code } = event.data;
  try {
    const run = new Function("lib", "tslab", "return (async () => {\n" + code + "\n})();");
    postMessage({ kind: "result", id, value: await run(lib, tslab) });
  } catch (e) {
    postMessage({ kind: "result", id, error: e && e.stack ? String(e.stack) : String(e) });
  }
};

postMessage({ kind: "ready" });
