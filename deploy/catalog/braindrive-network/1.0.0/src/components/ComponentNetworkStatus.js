  import React from "react";

  /**
   * Network Status
   * Rendered by BrainDrive's page builder; receives `services` and the module's props.
   */
  export default function ComponentNetworkStatus(props) {
    const { services, refreshInterval = 30 } = props;
    const [status, setStatus] = React.useState("checking");
React.useEffect(() => {
  const check = () => services.api.get("/api/v1/health").then(() => setStatus("online"), () => setStatus("offline"));
  check();
  const timer = setInterval(check, refreshInterval * 1000);
  return () => clearInterval(timer);
}, [services, refreshInterval]);
return <div className="network-status">Network: {status}</div>;
  }
