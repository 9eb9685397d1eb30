import React from "react";

/**
 * Library
 * Rendered by BrainDrive's page builder; receives `services` and the module's props.
 */
export default function ComponentLibrary(props) {
  const { services, refreshInterval = 30 } = props;
  return <div className="library">Library</div>;
}
