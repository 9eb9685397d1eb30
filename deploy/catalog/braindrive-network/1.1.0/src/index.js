// The modules dist/remoteEntry.js exposes ("./ComponentNetworkStatus", "./ComponentNetworkHistory"), as ES modules.
export { default as ComponentNetworkStatus } from "./components/ComponentNetworkStatus.js";
export { default as ComponentNetworkHistory } from "./components/ComponentNetworkHistory.js";
export const version = "1.1.0";
