/*! Module Federation container for BrainDriveNetwork (webpack 5, ModuleFederationPlugin) */
var BrainDriveNetwork;
(function () {
  "use strict";
  var __webpack_modules__ = {};
  var __webpack_module_cache__ = {};
  function __webpack_require__(moduleId) {
    var cached = __webpack_module_cache__[moduleId];
    if (cached !== undefined) return cached.exports;
    var module = (__webpack_module_cache__[moduleId] = { exports: {} });
    __webpack_modules__[moduleId](module, module.exports, __webpack_require__);
    return module.exports;
  }
  var moduleMap = {
    "./ComponentNetworkStatus": function () { return Promise.resolve(function () { return __webpack_require__("./src/components/ComponentNetworkStatus.js"); }); },
    "./ComponentNetworkHistory": function () { return Promise.resolve(function () { return __webpack_require__("./src/components/ComponentNetworkHistory.js"); }); }
  };
  var get = function (module, getScope) {
    if (!Object.prototype.hasOwnProperty.call(moduleMap, module)) {
      return Promise.reject(new Error('Module "' + module + '" does not exist in container.'));
    }
    return moduleMap[module]().then(function (factory) { return factory; });
  };
  var init = function (shareScope, initScope) {
    if (!__webpack_require__.S) __webpack_require__.S = {};
    __webpack_require__.S["default"] = shareScope;
  };
  BrainDriveNetwork = { get: get, init: init };
})();
