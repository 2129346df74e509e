"""HTTP: the app, the handlers, the control plane, the inspector, the object store."""
