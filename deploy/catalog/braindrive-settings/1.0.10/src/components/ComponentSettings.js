import React from "react";

/**
 * Settings
 * Rendered by BrainDrive's page builder; receives `services` and the module's props.
 */
export default function ComponentSettings(props) {
  const { services, refreshInterval = 30 } = props;
  return <div className="settings">Settings</div>;
}
