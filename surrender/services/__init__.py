"""Use cases. Each public function is one transaction and checks the acting role itself."""
