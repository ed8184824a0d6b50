// Command app-list is the Lambda function of the portal route "app-list".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-list") }
