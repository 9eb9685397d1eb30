  import React from "react";

  /**
   * Chat
   * Rendered by BrainDrive's page builder; receives `services` and the module's props.
   */
  export default function ComponentChat(props) {
    const { services, refreshInterval = 30 } = props;
    const [messages, setMessages] = React.useState([]);
return <div className="chat">{messages.length} messages</div>;
  }
