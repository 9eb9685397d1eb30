/*! BrainDrive Network 1.0.0: the Module Federation container "BrainDriveNetwork" (library type "var").
 * Written by hand (no build step): ES5 without eval, which the plugin manager's CSP forbids. Its
 * interface is the one webpack's ContainerEntryModule generates: get("./Name") resolves to a factory
 * of the module's exports, or rejects for a module it does not expose; init(shareScope) keeps the
 * first share scope and throws for a different one. The same modules as ES modules: src/. */
var BrainDriveNetwork;
(function () {
  "use strict";
  // Tests flip the 8 letters after "copy:" in place (same size) to see whose copy was loaded.
  var MARK = "copy:AAAAAAAA";
  var cache = {};

  // A module's exports: mount(el, props) renders one paragraph (as text) and returns unmount.
  function moduleExports(module) {
    if (!cache[module]) {
      cache[module] = {
        mount: function (el, props) {
          var p = el.ownerDocument.createElement("p");
          p.textContent = "BrainDrive Network 1.0.0: " + module + " (" + MARK + ")";
          el.replaceChildren(p);
          return function () { if (p.parentNode === el) el.removeChild(p); };
        }
      };
    }
    return cache[module];
  }

  var moduleMap = {
    "./ComponentNetworkStatus": function () { return Promise.resolve(function () { return moduleExports("ComponentNetworkStatus"); }); }
  };
  var shared = null;
  BrainDriveNetwork = {
    get: function (module, getScope) {
      return Object.prototype.hasOwnProperty.call(moduleMap, module)
        ? moduleMap[module]()
        : Promise.resolve().then(function () {
          throw new Error('Module "' + module + '" does not exist in container.');
        });
    },
    init: function (shareScope, initScope) {
      if (shared && shared !== shareScope) {
        throw new Error("Container initialization failed as it has already been initialized with a different share scope");
      }
      shared = shareScope;
    }
  };
})();
