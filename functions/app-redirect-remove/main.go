// Command app-redirect-remove is the Lambda function of the portal route "app-redirect-remove".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-redirect-remove") }
