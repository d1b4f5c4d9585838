msalRedirectBridge.broadcastResponseToMainFrame().catch((err) => console.error(err));
