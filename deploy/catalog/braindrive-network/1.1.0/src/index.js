import ComponentNetworkStatus from "./components/ComponentNetworkStatus";
import ComponentNetworkHistory from "./components/ComponentNetworkHistory";

export { ComponentNetworkStatus, ComponentNetworkHistory };
export const version = "1.1.0";
