// The modules dist/remoteEntry.js exposes ("./ComponentSettings"), as ES modules.
export { default as ComponentSettings } from "./components/ComponentSettings.js";
export const version = "1.0.0";
