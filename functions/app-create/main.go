// Command app-create is the Lambda function of the portal route "app-create".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-create") }
