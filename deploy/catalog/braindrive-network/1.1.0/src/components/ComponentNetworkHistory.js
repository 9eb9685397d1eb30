  import React from "react";

  /**
   * Network History
   * Rendered by BrainDrive's page builder; receives `services` and the module's props.
   */
  export default function ComponentNetworkHistory(props) {
    const { services, refreshInterval = 30 } = props;
    const [samples, setSamples] = React.useState([]);
React.useEffect(() => {
  const timer = setInterval(() => {
    const started = Date.now();
    services.api.get("/api/v1/health").finally(() =>
      setSamples((s) => [...s.slice(-59), { at: started, ms: Date.now() - started }]));
  }, refreshInterval * 1000);
  return () => clearInterval(timer);
}, [services, refreshInterval]);
return <ul className="network-history">{samples.map((s) => <li key={s.at}>{s.ms} ms</li>)}</ul>;
  }
