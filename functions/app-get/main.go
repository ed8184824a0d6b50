// Command app-get is the Lambda function of the portal route "app-get".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-get") }
