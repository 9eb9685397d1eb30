import ComponentChat from "./components/ComponentChat";

export { ComponentChat };
export const version = "1.0.0";
