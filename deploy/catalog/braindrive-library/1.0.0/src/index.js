import ComponentLibrary from "./components/ComponentLibrary";

export { ComponentLibrary };
export const version = "1.0.0";
