import ComponentSettings from "./components/ComponentSettings";

export { ComponentSettings };
export const version = "1.0.10";
