// Command app-go-live is the Lambda function of the portal route "app-go-live".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-go-live") }
