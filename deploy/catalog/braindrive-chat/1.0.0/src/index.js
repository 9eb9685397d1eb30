// The modules dist/remoteEntry.js exposes ("./ComponentChat"), as ES modules.
export { default as ComponentChat } from "./components/ComponentChat.js";
export const version = "1.0.0";
