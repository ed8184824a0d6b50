// Command app-redirect-add is the Lambda function of the portal route "app-redirect-add".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-redirect-add") }
