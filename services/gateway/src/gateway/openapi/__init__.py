"""The public API's one OpenAPI document: the gateway's own routes merged with the services' relayed ones."""
