// The modules dist/remoteEntry.js exposes ("./ComponentNetworkStatus"), as ES modules.
export { default as ComponentNetworkStatus } from "./components/ComponentNetworkStatus.js";
export const version = "1.0.0";
