// The modules dist/remoteEntry.js exposes ("./ComponentLibrary"), as ES modules.
export { default as ComponentLibrary } from "./components/ComponentLibrary.js";
export const version = "1.0.0";
