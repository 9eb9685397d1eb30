import ComponentNetworkStatus from "./components/ComponentNetworkStatus";

export { ComponentNetworkStatus };
export const version = "1.0.0";
